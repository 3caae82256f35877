using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using ZstdSharp;

namespace Jetstream.Reactive.Archive;

/// <summary>
/// Reads a sealed Jetstream v2 archive segment (<c>seg_XXXXXXXXXX.jss</c>) from a seekable stream, one block at a time:
/// memory is bounded by one block plus the footer whatever the file's size. <see cref="Open"/> checks the header, every
/// offset and size against the file, the block index and the collection index, and verifies the XXH3 checksum over
/// header and footer; each block's zstd content checksum is verified when the block is read.
/// </summary>
public sealed class JssSegmentReader : IDisposable
{
    /// <summary>The fixed header's size.</summary>
    public const int HeaderSize = 256;

    /// <summary>The size of one block index entry.</summary>
    public const int BlockIndexEntrySize = 52;

    /// <summary>The most blocks a segment may declare.</summary>
    public const int MaxBlocks = 1 << 20;

    /// <summary>The largest footer read (block index, blooms, collection index); real footers are a few MiB.</summary>
    public const int MaxFooterBytes = 128 * 1024 * 1024;

    /// <summary>The largest decompressed block accepted.</summary>
    public const int MaxBlockBytes = JssBlockDecoder.MaxBlockBytes;

    private static ReadOnlySpan<byte> Magic => "jss0"u8;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly JssBlockInfo[] _blocks;
    private readonly int[][] _blockCollections;
    private JssBlockDecoder? _decoder;

    private JssSegmentReader(Stream stream, bool leaveOpen, JssSegmentHeader header, JssBlockInfo[] blocks, JssCollectionEntry[] collections, int[][] blockCollections, long length)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Header = header;
        _blocks = blocks;
        Collections = collections;
        _blockCollections = blockCollections;
        Length = length;
    }

    /// <summary>The validated header.</summary>
    public JssSegmentHeader Header { get; }

    /// <summary>The block index, in block (and seq) order.</summary>
    public IReadOnlyList<JssBlockInfo> Blocks => _blocks;

    /// <summary>The collection table, including the reserved marker names.</summary>
    public IReadOnlyList<JssCollectionEntry> Collections { get; }

    /// <summary>The file's length in bytes.</summary>
    public long Length { get; }

    /// <summary>Opens and validates a segment. The stream must be readable and seekable.</summary>
    /// <param name="stream">The whole segment file.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves the stream open.</param>
    /// <returns>A reader positioned nowhere in particular: every read seeks.</returns>
    /// <exception cref="JssFormatException">The file is not a valid sealed segment, or its checksum does not match.</exception>
    public static JssSegmentReader Open(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("The segment stream must be readable and seekable.", nameof(stream));
        }

        var length = stream.Length;
        if (length < HeaderSize)
        {
            throw Fail($"file is {length} bytes, shorter than the {HeaderSize}-byte header");
        }

        var headerBytes = new byte[HeaderSize];
        stream.Position = 0;
        stream.ReadExactly(headerBytes);
        var header = ParseHeader(headerBytes, length);

        var footerLength = length - (long)header.FooterOffset;
        if (footerLength > MaxFooterBytes)
        {
            throw Fail($"footer is {footerLength} bytes, limit {MaxFooterBytes}");
        }

        var footer = new byte[footerLength];
        stream.Position = (long)header.FooterOffset;
        stream.ReadExactly(footer);

        var hash = new XxHash3();
        hash.Append(headerBytes.AsSpan(12));
        hash.Append(footer);
        var actual = hash.GetCurrentHashAsUInt64();
        if (actual != header.Checksum)
        {
            throw Fail($"checksum is {actual:x16}, the header says {header.Checksum:x16}");
        }

        var blocks = ParseBlockIndex(header, footer);
        var blooms = footer.AsSpan((int)(header.BlockDidBloomOffset - header.FooterOffset), (int)(header.CollectionIndexOffset - header.BlockDidBloomOffset));
        if (blooms.Length < 8
            || BinaryPrimitives.ReadUInt32LittleEndian(blooms) != header.BlockCount
            || blooms.Length != 8 + ((long)header.BlockCount * BinaryPrimitives.ReadUInt32LittleEndian(blooms[4..])))
        {
            throw Fail("per-block DID bloom region does not match the block count");
        }

        var (collections, blockCollections) = ParseCollectionIndex(header, footer.AsSpan((int)(header.CollectionIndexOffset - header.FooterOffset)));
        return new JssSegmentReader(stream, leaveOpen, header, blocks, collections, blockCollections, length);
    }

    /// <summary>Decodes one block frame exactly as <c>getBlock</c> returns it (no length prefix), with every row.</summary>
    /// <param name="frame">The zstd frame.</param>
    /// <returns>The block's events and the rows that failed.</returns>
    /// <exception cref="JssFormatException">The frame or the block body is malformed, or a row has an unknown kind.</exception>
    public static JssBlock DecodeBlockFrame(ReadOnlySpan<byte> frame)
    {
        using var decoder = new JssBlockDecoder();
        return decoder.Decode(frame, -1, ArchiveRowFilter.All);
    }

    /// <summary>The file name of segment <paramref name="index"/>: <c>seg_</c>, 10 lowercase base-36 digits, <c>.jss</c>.</summary>
    /// <param name="index">The segment index.</param>
    /// <returns>The name, such as <c>seg_000000002a.jss</c> for 42.</returns>
    public static string SegmentName(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Span<char> digits = stackalloc char[10];
        var value = index;
        for (var i = 9; i >= 0; i--)
        {
            digits[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[(int)(value % 36)];
            value /= 36;
        }

        if (value != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "A segment index needs at most 10 base-36 digits.");
        }

        return "seg_" + new string(digits) + ".jss";
    }

    /// <summary>Parses a segment file name; only the exact lowercase form is accepted, as the server does.</summary>
    /// <param name="name">A name such as <c>seg_000000002a.jss</c>.</param>
    /// <param name="index">The index it names.</param>
    /// <returns>Whether the name is well formed.</returns>
    public static bool TryParseSegmentName(string? name, out long index)
    {
        index = 0;
        if (name is not { Length: 18 } || !name.StartsWith("seg_", StringComparison.Ordinal) || !name.EndsWith(".jss", StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 4; i < 14; i++)
        {
            var c = name[i];
            int digit = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'z' ? c - 'a' + 10 : -1;
            if (digit < 0)
            {
                return false;
            }

            index = (index * 36) + digit;
        }

        return true;
    }

    /// <summary>Reads and decodes block <paramref name="index"/> with every row.</summary>
    /// <param name="index">The block index.</param>
    /// <returns>The block's events and failed rows.</returns>
    /// <exception cref="JssFormatException">The block is corrupt or malformed.</exception>
    public JssBlock ReadBlock(int index) => ReadBlock(index, ArchiveRowFilter.All);

    /// <summary>Every event of the segment in seq order. A corrupt block throws; a bad row is skipped (see <see cref="ReadBlock(int)"/> to see it).</summary>
    /// <returns>The events, one block decoded at a time.</returns>
    public IEnumerable<JetstreamEvent> ReadEvents()
    {
        for (var i = 0; i < _blocks.Length; i++)
        {
            foreach (var e in ReadBlock(i).Events)
            {
                yield return e;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _decoder?.Dispose();
        _decoder = null;
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <summary>The collection ids present in block <paramref name="index"/> (positions in <see cref="Collections"/>).</summary>
    internal IReadOnlyList<int> CollectionsOfBlock(int index) => _blockCollections[index];

    internal JssBlock ReadBlock(int index, ArchiveRowFilter filter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _blocks.Length);
        var frame = ReadFrame(index);
        _decoder ??= new JssBlockDecoder();
        return _decoder.Decode(frame, _blocks[index].UncompressedSize, filter);
    }

    /// <summary>The stored frame of block <paramref name="index"/> (without its length prefix), as getBlock serves it.</summary>
    internal byte[] ReadFrame(int index)
    {
        var block = _blocks[index];
        Span<byte> prefix = stackalloc byte[8];
        _stream.Position = (long)block.Offset;
        _stream.ReadExactly(prefix);
        var declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared != block.CompressedSize)
        {
            throw Fail($"block {index} length prefix is {declared}, the index says {block.CompressedSize}");
        }

        var frame = new byte[block.CompressedSize];
        _stream.ReadExactly(frame);
        return frame;
    }

    private static JssSegmentHeader ParseHeader(ReadOnlySpan<byte> h, long length)
    {
        if (!h[..4].SequenceEqual(Magic))
        {
            throw Fail("magic is not 'jss0'");
        }

        var header = new JssSegmentHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(h[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(h[12..]),
            BinaryPrimitives.ReadUInt32LittleEndian(h[14..]),
            BinaryPrimitives.ReadUInt32LittleEndian(h[18..]),
            BinaryPrimitives.ReadUInt32LittleEndian(h[22..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[26..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[34..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[42..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[50..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[58..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[66..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[74..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[82..]));
        if (header.Checksum == 0)
        {
            throw Fail("checksum is zero: an active (unsealed) segment");
        }

        if (header.Version != 1)
        {
            throw Fail($"version is {header.Version}; only version 1 is known");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(h[90..]) != header.FooterOffset)
        {
            throw Fail("block index offset differs from the footer offset");
        }

        var size = (ulong)length;
        if (header.FooterOffset < HeaderSize || header.FooterOffset > size
            || header.DidBloomOffset < header.FooterOffset || header.BlockDidBloomOffset < header.DidBloomOffset
            || header.CollectionIndexOffset < header.BlockDidBloomOffset || header.CollectionIndexOffset > size)
        {
            throw Fail($"footer offsets {header.FooterOffset}/{header.DidBloomOffset}/{header.BlockDidBloomOffset}/{header.CollectionIndexOffset} do not fit a {length}-byte file");
        }

        if (header.BlockCount > MaxBlocks)
        {
            throw Fail($"block count {header.BlockCount} exceeds {MaxBlocks}");
        }

        return header;
    }

    private static JssBlockInfo[] ParseBlockIndex(JssSegmentHeader header, ReadOnlySpan<byte> footer)
    {
        var count = (int)header.BlockCount;
        if ((long)count * BlockIndexEntrySize > (long)(header.DidBloomOffset - header.FooterOffset))
        {
            throw Fail($"block index of {count} entries does not fit before the DID bloom");
        }

        var blocks = new JssBlockInfo[count];
        var nextFrame = (ulong)HeaderSize;
        ulong? lastMaxSeq = null;
        for (var i = 0; i < count; i++)
        {
            var e = footer.Slice(i * BlockIndexEntrySize, BlockIndexEntrySize);
            var block = new JssBlockInfo(
                BinaryPrimitives.ReadUInt64LittleEndian(e),
                BinaryPrimitives.ReadUInt32LittleEndian(e[8..]),
                BinaryPrimitives.ReadUInt32LittleEndian(e[12..]),
                BinaryPrimitives.ReadUInt32LittleEndian(e[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(e[20..]),
                BinaryPrimitives.ReadUInt64LittleEndian(e[28..]),
                BinaryPrimitives.ReadInt64LittleEndian(e[36..]),
                BinaryPrimitives.ReadInt64LittleEndian(e[44..]));
            if (block.Offset < nextFrame || block.Offset > header.FooterOffset || header.FooterOffset - block.Offset < 8UL + block.CompressedSize)
            {
                throw Fail($"block {i} frame at {block.Offset} (+8+{block.CompressedSize}) overlaps another or leaves the block region");
            }

            if (block.MaxSeq < block.MinSeq)
            {
                throw Fail($"block {i} max seq {block.MaxSeq} is below its min seq {block.MinSeq}");
            }

            if (block.UncompressedSize > MaxBlockBytes)
            {
                throw Fail($"block {i} declares {block.UncompressedSize} decompressed bytes, limit {MaxBlockBytes}");
            }

            if (block.EventCount > 0)
            {
                // Non-empty blocks hold disjoint rising seq ranges; emptied blocks keep their old range and are skipped.
                if (lastMaxSeq is { } last && block.MinSeq <= last)
                {
                    throw Fail($"block {i} seq range starts at {block.MinSeq}, not above the previous block's {last}");
                }

                lastMaxSeq = block.MaxSeq;
            }

            nextFrame = block.Offset + 8 + block.CompressedSize;
            blocks[i] = block;
        }

        return blocks;
    }

    private static (JssCollectionEntry[] Collections, int[][] BlockCollections) ParseCollectionIndex(JssSegmentHeader header, ReadOnlySpan<byte> region)
    {
        if (region.Length < 16)
        {
            throw Fail("collection index is shorter than its 16-byte header");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(region);
        var blockCount = BinaryPrimitives.ReadUInt32LittleEndian(region[4..]);
        var maskLength = BinaryPrimitives.ReadUInt32LittleEndian(region[8..]);
        var bodySize = BinaryPrimitives.ReadUInt32LittleEndian(region[12..]);
        if (blockCount != header.BlockCount || maskLength != (count + 7) / 8)
        {
            throw Fail("collection index header does not match the block count or its own collection count");
        }

        // Each entry needs at least 5 bytes and each block its mask: the size bounds the counts.
        if (bodySize > MaxFooterBytes || (5L * count) + ((long)blockCount * maskLength) > bodySize)
        {
            throw Fail($"collection index body of {bodySize} bytes cannot hold {count} collections");
        }

        var body = new byte[bodySize];
        try
        {
            using var zstd = new Decompressor();
            if (!zstd.TryUnwrap(region[16..], body, out var written) || written != bodySize)
            {
                throw Fail("collection index body does not decompress to its declared size");
            }
        }
        catch (ZstdException e)
        {
            throw new JssFormatException("Malformed .jss segment: corrupt collection index frame.", e);
        }

        var collections = new JssCollectionEntry[count];
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            if (at + 5 > body.Length || at + 5 + body[at] > body.Length)
            {
                throw Fail("collection index entry runs past its body");
            }

            int nameLength = body[at];
            collections[i] = new JssCollectionEntry(
                System.Text.Encoding.UTF8.GetString(body, at + 5, nameLength),
                BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(at + 1)));
            at += 5 + nameLength;
        }

        if (body.Length - at != (long)blockCount * maskLength)
        {
            throw Fail("collection index bitmaps do not fill the rest of its body exactly");
        }

        var perBlock = new int[blockCount][];
        var ids = new List<int>();
        for (var b = 0; b < blockCount; b++)
        {
            ids.Clear();
            var mask = body.AsSpan(at + (int)(b * maskLength), (int)maskLength);
            for (var j = 0; j < count; j++)
            {
                if ((mask[j / 8] & (1 << (j % 8))) != 0)
                {
                    ids.Add(j);
                }
            }

            perBlock[b] = [.. ids];
        }

        return (collections, perBlock);
    }

    private static JssFormatException Fail(string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Malformed .jss segment: {message}."));
}
