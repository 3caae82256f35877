using System.Collections.Concurrent;
using System.Globalization;
using Jetstream.Reactive.Internal;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Compression;

/// <summary>
/// The v2 dictionaries one stream (one <see cref="JetstreamObservable.Connect"/>) has fetched, by ID, in memory and —
/// when <see cref="JetstreamOptions.ZstdDictionaryDirectory"/> is set — on disk. A dictionary's bytes never change for
/// its ID, so entries never go stale; <see cref="Current"/> remembers which one the server last called current, so later
/// subscriptions of the stream connect without downloading it again. Both the memory and the directory hold at most
/// <see cref="MaxEntries"/> dictionaries and <see cref="MaxBytes"/> bytes, the oldest going first: a server naming a
/// fresh dictionary on every connection cannot fill either.
/// </summary>
internal sealed class ZstdDictionaryCache
{
    /// <summary>The most dictionaries kept, in memory and in the directory each.</summary>
    public const int MaxEntries = 8;

    /// <summary>The most bytes of dictionaries kept, in memory and in the directory each (four of the largest allowed).</summary>
    public const long MaxBytes = 4L * JetstreamZstdDictionaries.MaxSize;

    private const string FilePattern = "jetstream-zstd-*.zdict";

    private readonly ConcurrentDictionary<uint, byte[]> _byId = new();
    private readonly LinkedList<uint> _order = new();
    private readonly Lock _orderGate = new();
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

        Keep(id, bytes);
        return bytes;
    }

    /// <summary>Whether the dictionary with <paramref name="id"/> is held in memory (for tests of the caps).</summary>
    internal bool TryGetInMemory(uint id) => _byId.ContainsKey(id);

    /// <summary>Keeps <paramref name="bytes"/> (already checked) in memory and, best effort, in the directory.</summary>
    public void Add(uint id, byte[] bytes)
    {
        Keep(id, bytes);
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
            TrimDirectory(path);
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

    /// <summary>Keeps <paramref name="bytes"/> in memory as the newest entry, then evicts the oldest over the caps (never <see cref="Current"/>).</summary>
    private void Keep(uint id, byte[] bytes)
    {
        lock (_orderGate)
        {
            _byId[id] = bytes;
            _order.Remove(id);
            _order.AddLast(id);
            var total = _byId.Values.Sum(b => (long)b.Length);
            var node = _order.First;
            while (node is not null && (_byId.Count > MaxEntries || total > MaxBytes))
            {
                var next = node.Next;
                if (node.Value != id && node.Value != Current?.Id && _byId.TryRemove(node.Value, out var evicted))
                {
                    total -= evicted.Length;
                    _order.Remove(node);
                }

                node = next;
            }
        }
    }

    /// <summary>Deletes the oldest dictionary files beyond the caps (best effort), never <paramref name="keep"/>.</summary>
    private void TrimDirectory(string keep)
    {
        try
        {
            var files = new DirectoryInfo(_directory!).GetFiles(FilePattern).OrderByDescending(f => f.LastWriteTimeUtc).ToList();
            long total = 0;
            var kept = 0;
            foreach (var file in files)
            {
                var isKeep = string.Equals(file.FullName, Path.GetFullPath(keep), StringComparison.Ordinal);
                if (isKeep || (kept < MaxEntries && total + file.Length <= MaxBytes))
                {
                    kept++;
                    total += file.Length;
                    continue;
                }

                file.Delete();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.ZstdDictionaryCacheFailed("trim", _directory!, e.Message);
        }
    }

    private sealed class StrongBox((uint Id, byte[] Bytes) value)
    {
        public (uint Id, byte[] Bytes) Value { get; } = value;
    }
}
