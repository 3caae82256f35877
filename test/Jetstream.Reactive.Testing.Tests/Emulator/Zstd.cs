using System.Buffers;
using System.Buffers.Binary;
using ZstdSharp;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>Reads zstd frame headers (RFC 8878 §3.1.1) and decompresses frames with a dictionary, optionally capped.</summary>
internal static class Zstd
{
    private const uint FrameMagic = 0xFD2FB528;

    /// <summary>Whether <paramref name="frame"/> is exactly one zstd frame's worth of header; its dictionary ID and declared size.</summary>
    public static (uint DictionaryId, ulong? ContentSize) ReadHeader(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 6 || BinaryPrimitives.ReadUInt32LittleEndian(frame) != FrameMagic)
        {
            throw new FormatException("not a zstd frame");
        }

        var descriptor = frame[4];
        var sizeFlag = descriptor >> 6;
        var singleSegment = (descriptor & 0x20) != 0;
        var dictionaryFlag = descriptor & 0x03;
        var position = singleSegment ? 5 : 6;
        var dictionaryBytes = dictionaryFlag switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
        uint dictionaryId = dictionaryBytes switch
        {
            0 => 0,
            1 => frame[position],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(frame[position..]),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(frame[position..]),
        };
        position += dictionaryBytes;
        ulong? size = sizeFlag switch
        {
            0 when singleSegment => frame[position],
            0 => null,
            1 => BinaryPrimitives.ReadUInt16LittleEndian(frame[position..]) + 256u,
            2 => BinaryPrimitives.ReadUInt32LittleEndian(frame[position..]),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(frame[position..]),
        };
        return (dictionaryId, size);
    }

    public static byte[] Decompress(ReadOnlySpan<byte> frame, ReadOnlyMemory<byte> dictionary)
    {
        using var decompressor = new Decompressor();
        decompressor.LoadDictionary(dictionary.Span);
        return decompressor.Unwrap(frame, 32 * 1024 * 1024).ToArray();
    }

    /// <summary>Decompresses in 1 MiB steps and stops once more than <paramref name="cap"/> bytes came out; returns how many did.</summary>
    public static long DecompressedLength(ReadOnlySpan<byte> frame, ReadOnlyMemory<byte> dictionary, long cap)
    {
        using var decompressor = new Decompressor();
        decompressor.LoadDictionary(dictionary.Span);
        var output = new byte[1 << 20];
        long total = 0;
        while (total <= cap)
        {
            var status = decompressor.UnwrapStream(frame, output, out var consumed, out var written);
            frame = frame[consumed..];
            total += written;
            if (status == OperationStatus.Done || (consumed == 0 && written == 0))
            {
                break;
            }
        }

        return total;
    }
}
