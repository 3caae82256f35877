using System.Collections.Concurrent;
using System.Globalization;
using Jetstream.Reactive.Internal;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Compression;

/// <summary>
/// The v2 dictionaries one stream (one <see cref="JetstreamObservable.Connect"/>) has fetched, by ID, in memory and —
/// when <see cref="JetstreamOptions.ZstdDictionaryDirectory"/> is set — on disk. A dictionary's bytes never change for
/// its ID, so entries never expire; <see cref="Current"/> remembers which one the server last called current, so later
/// subscriptions of the stream connect without downloading it again.
/// </summary>
internal sealed class ZstdDictionaryCache
{
    private readonly ConcurrentDictionary<uint, byte[]> _byId = new();
    private readonly string? _directory;
    private readonly ILogger _logger;
    private volatile StrongBox? _current;

    public ZstdDictionaryCache(string? directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
    }

    /// <summary>The dictionary the server last served as its current one, or <see langword="null"/>.</summary>
    public (uint Id, byte[] Bytes)? Current
    {
        get => _current?.Value;
        set => _current = value is { } v ? new StrongBox(v) : null;
    }

    public string? PathOf(uint id) =>
        _directory is null ? null : Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"jetstream-zstd-{id}.zdict"));

    /// <summary>The dictionary with <paramref name="id"/> from memory, else from the directory (checked), else <see langword="null"/>.</summary>
    /// <remarks>
    /// The file calls are synchronous on purpose: dictionaries are tens of kilobytes, read or written once per rotation,
    /// and a synchronous call keeps the attempt on its own thread (and in virtual time under test).
    /// </remarks>
    public byte[]? TryGet(uint id)
    {
        if (_byId.TryGetValue(id, out var bytes))
        {
            return bytes;
        }

        if (PathOf(id) is not { } path || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var info = new FileInfo(path);
            if (info.Length > JetstreamZstdDictionaries.MaxSize)
            {
                _logger.ZstdDictionaryCacheFailed("read", path, "the file is larger than a dictionary can be");
                return null;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.ZstdDictionaryCacheFailed("read", path, e.Message);
            return null;
        }

        if (!JetstreamZstdDictionaries.TryReadId(bytes, out var fileId) || fileId != id)
        {
            _logger.ZstdDictionaryCacheFailed("read", path, "the file is not the dictionary its name says");
            return null;
        }

        _byId[id] = bytes;
        return bytes;
    }

    /// <summary>Keeps <paramref name="bytes"/> (already checked) in memory and, best effort, in the directory.</summary>
    public void Add(uint id, byte[] bytes)
    {
        _byId[id] = bytes;
        if (PathOf(id) is not { } path || File.Exists(path))
        {
            return;
        }

        // A new file renamed into place, so a reader never sees half a dictionary.
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(_directory!);
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.ZstdDictionaryCacheFailed("write", path, e.Message);
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do about a temporary file that cannot be removed either.
            }
        }
    }

    private sealed class StrongBox((uint Id, byte[] Bytes) value)
    {
        public (uint Id, byte[] Bytes) Value { get; } = value;
    }
}
