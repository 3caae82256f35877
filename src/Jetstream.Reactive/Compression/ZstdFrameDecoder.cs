using System.Buffers;
using System.Globalization;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Jetstream.Reactive.Compression;

/// <summary>
/// Decodes one connection's binary messages, each a single zstd frame made with one dictionary. The frame header is
/// checked first: a frame made with another dictionary is a named error, and a frame that declares more content than
/// <c>maxOutput</c> is rejected without decompressing a byte. A frame that does not declare its size is decompressed
/// into an output buffer that doubles up to <c>maxOutput</c> and no further, so a decompression bomb costs at most
/// that much memory. Not thread-safe: one reader uses it.
/// </summary>
internal sealed class ZstdFrameDecoder : IDisposable
{
    private const int InitialOutputSize = 16 * 1024;

    private readonly ReadOnlyMemory<byte> _dictionary;
    private readonly int _maxOutput;
    private Decompressor? _decompressor;
    private byte[]? _output;

    public ZstdFrameDecoder(uint dictionaryId, ReadOnlyMemory<byte> dictionary, int maxOutput)
    {
        DictionaryId = dictionaryId;
        _dictionary = dictionary;
        _maxOutput = maxOutput;
    }

    /// <summary>The ID of the dictionary this decoder uses; frames that name another are rejected.</summary>
    public uint DictionaryId { get; }

    /// <summary>The largest output this decoder has asked memory for, in bytes (never more than the limit).</summary>
    public int PeakOutputSize { get; private set; }

    /// <summary>Decompresses <paramref name="frame"/>.</summary>
    /// <param name="frame">One whole binary message.</param>
    /// <param name="output">The decompressed bytes, valid until the next call.</param>
    /// <param name="detail">For a rejected frame, a short payload-free reason.</param>
    /// <returns><see langword="null"/> when decoded, otherwise why the frame was rejected.</returns>
    public MalformedFrameReason? TryDecode(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> output, out string? detail)
    {
        output = default;
        detail = null;
        if (frame.IsEmpty)
        {
            // The same reason as an empty text frame: no bytes is no bytes, whatever the frame type.
            detail = "no bytes";
            return MalformedFrameReason.Empty;
        }

        switch (ZstdFrameHeader.TryRead(frame, out var header))
        {
            case ZstdHeaderStatus.NotZstd:
                detail = "not a zstd frame";
                return MalformedFrameReason.BinaryFrame;
            case ZstdHeaderStatus.Invalid:
                detail = "invalid zstd frame header";
                return MalformedFrameReason.ZstdCorrupt;
        }

        // A frame without a dictionary ID is decoded with this connection's dictionary (zstd allows the ID to be
        // left out when both sides know it); a frame that names another dictionary cannot be decoded at all.
        if (header.DictionaryId != 0 && header.DictionaryId != DictionaryId)
        {
            detail = string.Create(CultureInfo.InvariantCulture, $"frame dictionary {header.DictionaryId}, expected {DictionaryId}");
            return MalformedFrameReason.ZstdDictionaryMismatch;
        }

        try
        {
            if (header.ContentSize is { } declared)
            {
                if (declared > (ulong)_maxOutput)
                {
                    detail = string.Create(CultureInfo.InvariantCulture, $"declares {declared} bytes, limit {_maxOutput}");
                    return MalformedFrameReason.DecompressedTooLarge;
                }

                var size = (int)declared;
                if (!Zstd.TryUnwrap(frame, Output(size), out var written))
                {
                    // zstd checks the declared size of a single frame itself; more output means more frames follow.
                    detail = "data after the frame";
                    return MalformedFrameReason.ZstdCorrupt;
                }

                output = _output.AsSpan(0, written);
                return null;
            }

            var capacity = (int)Math.Min(Math.Max(InitialOutputSize, (long)frame.Length * 4), _maxOutput);
            while (true)
            {
                if (Zstd.TryUnwrap(frame, Output(capacity), out var written))
                {
                    output = _output.AsSpan(0, written);
                    return null;
                }

                if (capacity >= _maxOutput)
                {
                    detail = string.Create(CultureInfo.InvariantCulture, $"more than the limit of {_maxOutput} bytes (size not declared)");
                    return MalformedFrameReason.DecompressedTooLarge;
                }

                capacity = (int)Math.Min((long)capacity * 2, _maxOutput);
            }
        }
        catch (ZstdException e)
        {
            detail = e.Code.ToString().Replace("ZSTD_error_", "", StringComparison.Ordinal);
            return e.Code switch
            {
                ZSTD_ErrorCode.ZSTD_error_dictionary_wrong => MalformedFrameReason.ZstdDictionaryMismatch,
                ZSTD_ErrorCode.ZSTD_error_frameParameter_windowTooLarge => MalformedFrameReason.DecompressedTooLarge,
                _ => MalformedFrameReason.ZstdCorrupt,
            };
        }
    }

    public void Dispose()
    {
        _decompressor?.Dispose();
        _decompressor = null;
        if (_output is not null)
        {
            ArrayPool<byte>.Shared.Return(_output);
            _output = null;
        }
    }

    private Decompressor Zstd
    {
        get
        {
            if (_decompressor is null)
            {
                // Loading the dictionary builds its tables once; the decompressor is reused for every frame.
                var decompressor = new Decompressor();
                decompressor.LoadDictionary(_dictionary.Span);
                _decompressor = decompressor;
            }

            return _decompressor;
        }
    }

    private Span<byte> Output(int size)
    {
        PeakOutputSize = Math.Max(PeakOutputSize, size);
        if (_output is null || _output.Length < size)
        {
            if (_output is not null)
            {
                ArrayPool<byte>.Shared.Return(_output);
            }

            _output = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        }

        return _output.AsSpan(0, size);
    }
}
