using System.Buffers.Binary;

namespace Jetstream.Reactive.Compression;

/// <summary>
/// The parts of a zstd frame header (RFC 8878 §3.1.1.1) the client checks before it decompresses anything: the
/// dictionary ID and the declared content size.
/// </summary>
internal readonly record struct ZstdFrameHeader(uint DictionaryId, ulong? ContentSize, ulong WindowSize)
{
    public const uint Magic = 0xFD2FB528;

    /// <summary>Reads the header at the start of <paramref name="frame"/>.</summary>
    /// <returns>
    /// <see cref="ZstdHeaderStatus.Valid"/>; <see cref="ZstdHeaderStatus.NotZstd"/> when the bytes do not start with the
    /// zstd magic number; <see cref="ZstdHeaderStatus.Invalid"/> when the header is cut short or sets the reserved bit.
    /// </returns>
    public static ZstdHeaderStatus TryRead(ReadOnlySpan<byte> frame, out ZstdFrameHeader header)
    {
        header = default;
        if (frame.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(frame) != Magic)
        {
            return ZstdHeaderStatus.NotZstd;
        }

        if (frame.Length < 5)
        {
            return ZstdHeaderStatus.Invalid;
        }

        var descriptor = frame[4];
        var contentSizeFlag = descriptor >> 6;
        var singleSegment = (descriptor & 0x20) != 0;
        var dictionaryIdFlag = descriptor & 0x03;
        if ((descriptor & 0x08) != 0)
        {
            return ZstdHeaderStatus.Invalid;
        }

        var position = 5;
        ulong windowSize = 0;
        if (!singleSegment)
        {
            if (frame.Length <= position)
            {
                return ZstdHeaderStatus.Invalid;
            }

            var windowDescriptor = frame[position++];
            var windowLog = 10 + (windowDescriptor >> 3);
            var windowBase = 1UL << windowLog;
            windowSize = windowBase + ((windowBase / 8) * (ulong)(windowDescriptor & 0x07));
        }

        var dictionaryIdSize = dictionaryIdFlag switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
        var contentSizeSize = contentSizeFlag switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        if (frame.Length < position + dictionaryIdSize + contentSizeSize)
        {
            return ZstdHeaderStatus.Invalid;
        }

        var idBytes = frame.Slice(position, dictionaryIdSize);
        uint dictionaryId = dictionaryIdSize switch
        {
            0 => 0,
            1 => idBytes[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(idBytes),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(idBytes),
        };
        position += dictionaryIdSize;

        var sizeBytes = frame.Slice(position, contentSizeSize);
        ulong? contentSize = contentSizeSize switch
        {
            0 => null,
            1 => sizeBytes[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(sizeBytes) + 256UL,
            4 => BinaryPrimitives.ReadUInt32LittleEndian(sizeBytes),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(sizeBytes),
        };

        if (singleSegment)
        {
            windowSize = contentSize!.Value;
        }

        header = new ZstdFrameHeader(dictionaryId, contentSize, windowSize);
        return ZstdHeaderStatus.Valid;
    }
}

/// <summary>The outcome of <see cref="ZstdFrameHeader.TryRead"/>.</summary>
internal enum ZstdHeaderStatus
{
    Valid,
    NotZstd,
    Invalid,
}
