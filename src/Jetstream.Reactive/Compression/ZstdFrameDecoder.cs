using System.Buffers;
using System.Globalization;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Jetstream.Reactive.Compression;

/// <summary>
/// Decodes one connection's binary messages, each a single zstd frame made with one dictionary. The frame header is
/// checked first: a frame made with another dictionary is a named error, and a frame that declares more content than
/// <c>maxOutput</c> is rejected without decompressing a byte. A frame that does not declare its size is decompressed
/// once, streaming into an output buffer that doubles up to <c>maxOutput</c> and no further (the bytes already out are
/// kept across a doubling, never decompressed again), so a decompression bomb costs at most that much memory and one
/// pass of work. Not thread-safe: one reader uses it.
/// </summary>
internal sealed class ZstdFrameDecoder : IDisposable
{
    private const int InitialOutputSize = 16 * 1024;

    private readonly ReadOnlyMemory<byte> _dictionary;
    private readonly int _maxOutput;
    private Decompressor? _decompressor;
    private Decompressor? _streaming;
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

    /// <summary>How many times a frame's compressed bytes were run through zstd in all (one per frame when all is well).</summary>
    internal int Passes { get; private set; }

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
                Passes++;
                if (!Zstd.TryUnwrap(frame, Output(size), out var written))
                {
                    // zstd checks the declared size of a single frame itself; more output means more frames follow.
                    detail = "data after the frame";
                    return MalformedFrameReason.ZstdCorrupt;
                }

                output = _output.AsSpan(0, written);
                return null;
            }

            return DecodeUnsized(frame, out output, out detail);
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
        _streaming?.Dispose();
        _streaming = null;
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

    /// <summary>A frame without a declared size: one streaming pass into a buffer that grows (keeping its content) up to the limit.</summary>
    private MalformedFrameReason? DecodeUnsized(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> output, out string? detail)
    {
        output = default;
        detail = null;
        Passes++;
        var input = ArrayPool<byte>.Shared.Rent(frame.Length);
        var complete = false;
        try
        {
            frame.CopyTo(input);
            using var source = new MemoryStream(input, 0, frame.Length, writable: false);
            using var zstd = new DecompressionStream(source, Streaming, checkEndOfStream: true, preserveDecompressor: true, leaveOpen: true);
            var capacity = (int)Math.Min(Math.Max(InitialOutputSize, (long)frame.Length * 4), _maxOutput);
            Output(capacity);
            var written = 0;
            while (true)
            {
                if (written == capacity)
                {
                    if (capacity >= _maxOutput)
                    {
                        Span<byte> probe = stackalloc byte[1];
                        if (zstd.Read(probe) > 0)
                        {
                            detail = string.Create(CultureInfo.InvariantCulture, $"more than the limit of {_maxOutput} bytes (size not declared)");
                            return MalformedFrameReason.DecompressedTooLarge;
                        }

                        break;
                    }

                    capacity = (int)Math.Min((long)capacity * 2, _maxOutput);
                    Grow(capacity, written);
                }

                var read = zstd.Read(_output.AsSpan(written, capacity - written));
                if (read == 0)
                {
                    break;
                }

                written += read;
            }

            complete = true;
            output = _output.AsSpan(0, written);
            return null;
        }
        catch (EndOfStreamException)
        {
            detail = "the frame ends before its content does";
            return MalformedFrameReason.ZstdCorrupt;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            if (!complete)
            {
                // A frame abandoned midway leaves the streaming context inside it: start the next one on a fresh context.
                _streaming?.Dispose();
                _streaming = null;
            }
        }
    }

    private Decompressor Streaming
    {
        get
        {
            if (_streaming is null)
            {
                // The dictionary is loaded once and stays on this context for every frame streamed through it.
                var decompressor = new Decompressor();
                decompressor.LoadDictionary(_dictionary.Span);
                _streaming = decompressor;
            }

            return _streaming;
        }
    }

    /// <summary>Grows the output buffer to <paramref name="size"/>, keeping its first <paramref name="keep"/> bytes.</summary>
    private void Grow(int size, int keep)
    {
        PeakOutputSize = Math.Max(PeakOutputSize, size);
        if (_output!.Length >= size)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _output.AsSpan(0, keep).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_output);
        _output = bigger;
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
