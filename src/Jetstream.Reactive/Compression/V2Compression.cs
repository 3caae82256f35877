using System.Globalization;
using System.Text.RegularExpressions;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Protocol;
using Microsoft.Extensions.Logging;
using ZstdSharp;

namespace Jetstream.Reactive.Compression;

/// <summary>
/// One subscription's v2 zstd state (PROTOCOL.md §6.4): which dictionary the next connection asks for, the IDs the
/// server rejected with <c>UnknownZstdDictionary</c>, and whether the subscription gave up and went uncompressed.
/// Compression failures are never fatal: the worst outcome is text frames. Used by one attempt at a time.
/// </summary>
internal sealed partial class V2Compression
{
    /// <summary>After this many <c>UnknownZstdDictionary</c> rejections with no accepted connection between them, go uncompressed.</summary>
    public const int MaxRejectionsInARow = 3;

    /// <summary>The most rejected IDs remembered; a server cannot grow the set beyond it.</summary>
    private const int MaxRejectedIds = 64;

    private readonly ZstdDictionaryCache _cache;
    private readonly Transport.IJetstreamDictionarySource _source;
    private readonly JetstreamMetrics _metrics;
    private readonly ILogger _logger;
    private readonly HashSet<uint> _rejected = [];
    private (uint Id, ReadOnlyMemory<byte> Bytes)? _active;
    private uint? _hint;
    private int _rejectionsInARow;

    public V2Compression(ZstdDictionaryCache cache, Transport.IJetstreamDictionarySource source, JetstreamMetrics metrics, ILogger logger)
    {
        _cache = cache;
        _source = source;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Whether the subscription gave up on compression.</summary>
    public bool Disabled { get; private set; }

    /// <summary>The dictionary the last connection asked for, or <see langword="null"/> when it asked for text.</summary>
    public uint? InUse => Disabled ? null : _active?.Id;

    /// <summary>The dictionary to decode binary frames with: the one in use, else the bundled one.</summary>
    public (uint Id, ReadOnlyMemory<byte> Bytes) Decoding => !Disabled && _active is { } a ? a : (JetstreamZstdDictionaries.BundledV2Id, JetstreamZstdDictionaries.BundledV2);

    /// <summary>
    /// The dictionary for the next connection: the one already chosen; else the stream's current one; else one fetched
    /// from the host (by the ID the server named, from the cache when possible); else, on the first try, the bundled
    /// one. <see langword="null"/> means connect uncompressed.
    /// </summary>
    public async Task<(uint Id, ReadOnlyMemory<byte> Bytes)?> PrepareAsync(SubscribeRequest request, CancellationToken cancellationToken)
    {
        if (Disabled)
        {
            return null;
        }

        if (_active is { } active)
        {
            return active;
        }

        if (_rejected.Count == 0 && _cache.Current is { } current)
        {
            return _active = (current.Id, current.Bytes);
        }

        var wanted = _hint;
        (uint Id, byte[] Bytes)? found = null;
        if (wanted is { } hinted && _cache.TryGet(hinted) is { } cached)
        {
            found = (hinted, cached);
        }

        string? failure = null;
        var uri = request.DictionaryUri(wanted);
        if (found is null)
        {
            try
            {
                var body = await _source.GetZstdDictionaryAsync(uri, cancellationToken).ConfigureAwait(false);

                // A source that ignored the token and answered after the attempt was abandoned (dispose, idle timeout):
                // the answer is not used, so nothing connects after dispose.
                cancellationToken.ThrowIfCancellationRequested();
                var id = Check(body, wanted);
                _metrics.DictionaryFetches.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.OutcomeTag, "success"));
                _logger.ZstdDictionaryFetched(id, body.Length, uri.AbsoluteUri);
                _cache.Add(id, body);
                if (wanted is null)
                {
                    _cache.Current = (id, body);
                }

                found = (id, body);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _metrics.DictionaryFetches.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.OutcomeTag, "failure"));
                failure = e.Message;
            }
        }

        if (found is not { } got)
        {
            if (_rejected.Count == 0)
            {
                _logger.ZstdDictionaryFetchFailed(uri.AbsoluteUri, failure!, $"using the bundled dictionary {JetstreamZstdDictionaries.BundledV2Id}");
                return _active = (JetstreamZstdDictionaries.BundledV2Id, JetstreamZstdDictionaries.BundledV2);
            }

            _logger.ZstdDictionaryFetchFailed(uri.AbsoluteUri, failure!, "going on uncompressed");
            Disable("the server rejected the dictionary and a new one could not be fetched");
            return null;
        }

        if (_rejected.Contains(got.Id))
        {
            Disable(string.Create(CultureInfo.InvariantCulture, $"the server offers dictionary {got.Id}, which it rejected"));
            return null;
        }

        return _active = (got.Id, got.Bytes);
    }

    /// <summary>
    /// The server answered <c>UnknownZstdDictionary</c> for the dictionary in use: refetch before the next connection.
    /// After <see cref="MaxRejectionsInARow"/> rejections with no accepted connection between them (a server naming a
    /// fresh dictionary each time), the subscription goes uncompressed.
    /// </summary>
    /// <returns>Whether to reconnect at once: only after the first rejection in a row; later ones wait like any retry.</returns>
    public bool Rejected(uint id, string? serverMessage)
    {
        _logger.UnknownZstdDictionary(id, ServerTextLog.Clean(serverMessage));
        if (_rejected.Count >= MaxRejectedIds)
        {
            _rejected.Clear();
        }

        _rejected.Add(id);
        _rejectionsInARow++;
        _active = null;
        if (_cache.Current?.Id == id)
        {
            _cache.Current = null;
        }

        _hint = HintedId(serverMessage, id);
        if (_rejectionsInARow >= MaxRejectionsInARow && !Disabled)
        {
            Disable(string.Create(CultureInfo.InvariantCulture, $"the server rejected {_rejectionsInARow} dictionaries in a row"));
        }

        return _rejectionsInARow == 1;
    }

    /// <summary>A connection was accepted (with or without a dictionary): rejections start counting again.</summary>
    public void Accepted() => _rejectionsInARow = 0;

    /// <summary>The one dictionary ID other than the rejected one that the server's message names, if exactly one.</summary>
    internal static uint? HintedId(string? message, uint rejected)
    {
        if (string.IsNullOrEmpty(message))
        {
            return null;
        }

        uint? hint = null;
        foreach (Match match in Numbers().Matches(message))
        {
            if (uint.TryParse(match.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n != 0 && n != rejected)
            {
                if (hint is { } other && other != n)
                {
                    return null;
                }

                hint = n;
            }
        }

        return hint;
    }

    private static uint Check(byte[] body, uint? wanted)
    {
        if (body.Length > JetstreamZstdDictionaries.MaxSize)
        {
            throw new InvalidDataException($"the response has {body.Length} bytes, more than a dictionary may have");
        }

        if (!JetstreamZstdDictionaries.TryReadId(body, out var id))
        {
            throw new InvalidDataException("the response is not a structured zstd dictionary");
        }

        if (wanted is { } w && w != id)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"asked for dictionary {w}, got {id}"));
        }

        try
        {
            using var probe = new Decompressor();
            probe.LoadDictionary(body);
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"zstd cannot load the dictionary: {e.Message}", e);
        }

        return id;
    }

    private void Disable(string reason)
    {
        Disabled = true;
        _active = null;
        _metrics.CompressionFallbacks.Add(1);
        _logger.CompressionDisabled(reason);
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Numbers();
}
