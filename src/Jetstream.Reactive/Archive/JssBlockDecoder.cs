using System.Buffers;
using System.Globalization;
using ZstdSharp;

namespace Jetstream.Reactive.Archive;

/// <summary>
/// Decompresses one block frame (zstd, no dictionary, content checksum verified by zstd) and converts its rows.
/// Not thread-safe: each decoding worker owns one. The output buffer is pooled and only lives during a call.
/// </summary>
internal sealed class JssBlockDecoder : IDisposable
{
    /// <summary>The largest decompressed block accepted: a guard against zstd bombs (real blocks are a few MiB).</summary>
    public const int MaxBlockBytes = 256 * 1024 * 1024;

    private readonly Decompressor _zstd = new();
    private readonly List<JssRow> _rows = [];
    private readonly JssEventConverter _converter = new();

    /// <summary>Decodes a frame; <paramref name="expectedSize"/> is the index's <c>uncompressed_size</c>, or -1 for a lone getBlock frame.</summary>
    public JssBlock Decode(ReadOnlySpan<byte> frame, long expectedSize, ArchiveRowFilter filter)
    {
        if (expectedSize > MaxBlockBytes)
        {
            throw new JssFormatException(string.Create(CultureInfo.InvariantCulture, $"Block declares {expectedSize} decompressed bytes, limit {MaxBlockBytes}."));
        }

        byte[]? buffer = null;
        try
        {
            var written = Decompress(frame, expectedSize, ref buffer);
            var body = new ReadOnlyMemory<byte>(buffer, 0, written);
            JssBlockBody.Parse(body.Span, _rows);
            var events = new List<JetstreamEvent>(_rows.Count);
            List<JssRowError>? errors = null;
            var filtered = 0;
            foreach (var row in _rows)
            {
                // Seq first: it needs no strings, and straddling units are mostly cut by it.
                if (!filter.WantsSeq(row.Seq))
                {
                    filtered++;
                    continue;
                }

                var did = _converter.Did(row, body.Span);
                var collection = _converter.Collection(row, body.Span);
                if (!filter.Wants(row.Seq, ArchiveRowFilter.KindOf(row.Kind), did, collection))
                {
                    filtered++;
                    continue;
                }

                try
                {
                    events.Add(_converter.Convert(row, body, did, collection));
                }
                catch (Exception e) when (e is JssFormatException or OverflowException)
                {
                    (errors ??= []).Add(new JssRowError((long)Math.Min(row.Seq, long.MaxValue), e.Message));
                }
            }

            return new JssBlock(events, (IReadOnlyList<JssRowError>?)errors ?? [], _rows.Count, filtered);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public void Dispose() => _zstd.Dispose();

    private int Decompress(ReadOnlySpan<byte> frame, long expectedSize, ref byte[]? buffer)
    {
        var limit = expectedSize >= 0 ? (int)expectedSize : MaxBlockBytes;

        // Grow towards the limit rather than trusting a declared size for the first allocation.
        var capacity = (int)Math.Min(limit, Math.Max(64 * 1024, (long)frame.Length * 8));
        try
        {
            while (true)
            {
                buffer = Rent(buffer, Math.Max(capacity, 1));
                if (_zstd.TryUnwrap(frame, buffer.AsSpan(0, capacity), out var written))
                {
                    if (expectedSize >= 0 && written != expectedSize)
                    {
                        throw new JssFormatException(string.Create(CultureInfo.InvariantCulture, $"Block decompressed to {written} bytes, the index says {expectedSize}."));
                    }

                    return written;
                }

                if (capacity >= limit)
                {
                    throw new JssFormatException(expectedSize >= 0
                        ? string.Create(CultureInfo.InvariantCulture, $"Block decompresses to more than the {expectedSize} bytes the index says.")
                        : string.Create(CultureInfo.InvariantCulture, $"Block decompresses to more than the limit of {MaxBlockBytes} bytes."));
                }

                capacity = (int)Math.Min((long)capacity * 2, limit);
            }
        }
        catch (ZstdException e)
        {
            // A corrupt frame, a failed content checksum, or a frame that wants a dictionary.
            throw new JssFormatException("Corrupt zstd block frame: " + e.Code.ToString().Replace("ZSTD_error_", "", StringComparison.Ordinal) + ".", e);
        }
    }

    private static byte[] Rent(byte[]? current, int size)
    {
        if (current is not null && current.Length >= size)
        {
            return current;
        }

        if (current is not null)
        {
            ArrayPool<byte>.Shared.Return(current);
        }

        return ArrayPool<byte>.Shared.Rent(size);
    }
}
