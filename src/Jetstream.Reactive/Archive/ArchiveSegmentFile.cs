using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace Jetstream.Reactive.Archive;

/// <summary>
/// A downloaded, validated segment in a delete-on-close temp file. Blocks are read with positional reads, so several
/// decoding workers can share it; disposing it deletes the file.
/// </summary>
internal sealed class ArchiveSegmentFile : IDisposable
{
    private readonly FileStream _file;

    private ArchiveSegmentFile(FileStream file, JssSegmentHeader header, IReadOnlyList<JssBlockInfo> blocks)
    {
        _file = file;
        Header = header;
        Blocks = blocks;
    }

    public JssSegmentHeader Header { get; }

    public IReadOnlyList<JssBlockInfo> Blocks { get; }

    public long Length => _file.Length;

    public static ArchiveSegmentFile Open(FileStream file)
    {
        using var reader = JssSegmentReader.Open(file, leaveOpen: true);
        return new ArchiveSegmentFile(file, reader.Header, reader.Blocks);
    }

    /// <summary>Reads block <paramref name="index"/>'s frame into a pooled buffer (the caller returns it).</summary>
    public byte[] RentFrame(int index, out int length)
    {
        var block = Blocks[index];
        Span<byte> prefix = stackalloc byte[8];
        RandomAccess.Read(_file.SafeFileHandle, prefix, (long)block.Offset);
        if (BinaryPrimitives.ReadUInt64LittleEndian(prefix) != block.CompressedSize)
        {
            throw new JssFormatException(string.Create(CultureInfo.InvariantCulture, $"Malformed .jss segment: block {index} length prefix differs from its index entry."));
        }

        length = (int)block.CompressedSize;
        var frame = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(_file.SafeFileHandle, frame.AsSpan(read, length - read), (long)block.Offset + 8 + read);
            if (n == 0)
            {
                ArrayPool<byte>.Shared.Return(frame);
                throw new JssFormatException("Malformed .jss segment: a block frame runs past the end of the file.");
            }

            read += n;
        }

        return frame;
    }

    public void Dispose() => _file.Dispose();
}
