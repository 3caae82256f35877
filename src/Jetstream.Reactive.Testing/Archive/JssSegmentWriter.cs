using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using ZstdSharp;

namespace Jetstream.Reactive.Testing.Archive;

/// <summary>
/// Writes sealed Jetstream v2 archive segments (<c>.jss</c>, format version 1) as the server does: columnar blocks,
/// each one zstd frame with a content checksum and no dictionary; a footer with the block index, DID blooms and the
/// collection index (with the <c>$account</c>/<c>$identity</c>/<c>$sync</c> marker names); the XXH3 header checksum.
/// The output reads back through <see cref="Jetstream.Reactive.Archive.JssSegmentReader"/>.
/// </summary>
public sealed class JssSegmentWriter
{
    private const int HeaderSize = 256;

    private readonly int _maxEventsPerBlock;
    private readonly List<List<JssArchiveRow>> _blocks = [];

    /// <summary>Creates a writer.</summary>
    /// <param name="maxEventsPerBlock">Rows per block (the server's default is 4096).</param>
    public JssSegmentWriter(int maxEventsPerBlock = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventsPerBlock, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxEventsPerBlock, 262_144);
        _maxEventsPerBlock = maxEventsPerBlock;
    }

    /// <summary>Rows appended so far.</summary>
    public int Count { get; private set; }

    /// <summary>Appends a row; seqs must rise.</summary>
    /// <param name="row">The row.</param>
    public void Append(JssArchiveRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Kind is < 1 or > 7)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row.Kind, "A row kind is 1 to 7.");
        }

        var last = _blocks.Count > 0 ? _blocks[^1] : null;
        if (last is { Count: > 0 } && row.Seq <= last[^1].Seq)
        {
            throw new ArgumentException($"Seq {row.Seq} does not rise above {last[^1].Seq}.", nameof(row));
        }

        if (last is null || last.Count >= _maxEventsPerBlock)
        {
            last = [];
            _blocks.Add(last);
        }

        last.Add(row);
        Count++;
    }

    /// <summary>Ends the current block early (as the server's 30-second flush does).</summary>
    public void FlushBlock()
    {
        if (_blocks.Count > 0 && _blocks[^1].Count > 0)
        {
            _blocks.Add([]);
        }
    }

    /// <summary>Writes the sealed file.</summary>
    /// <returns>The whole segment.</returns>
    public byte[] Seal()
    {
        var blocks = _blocks.Where(b => b.Count > 0).ToList();
        using var output = new MemoryStream();
        output.Write(new byte[HeaderSize]);

        using var zstd = new Compressor(3);
        zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        var index = new byte[52 * blocks.Count];
        Span<byte> prefix = stackalloc byte[8];
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            var body = EncodeBody(block);
            var frame = zstd.Wrap(body);
            var entry = index.AsSpan(52 * i);
            BinaryPrimitives.WriteUInt64LittleEndian(entry, (ulong)output.Position);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], (uint)body.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], (uint)block.Count);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[20..], (ulong)block[0].Seq);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[28..], (ulong)block[^1].Seq);
            BinaryPrimitives.WriteInt64LittleEndian(entry[36..], block.Min(r => r.WitnessedAt));
            BinaryPrimitives.WriteInt64LittleEndian(entry[44..], block.Max(r => r.WitnessedAt));
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)frame.Length);
            output.Write(prefix);
            output.Write(frame);
        }

        var footerOffset = output.Position;
        output.Write(index);

        var allDids = blocks.SelectMany(b => b).Select(r => r.Did).Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var segmentBloom = new GloomBloom(allDids.Count);
        allDids.ForEach(segmentBloom.Add);
        var didBloomOffset = output.Position;
        output.Write(Serialize(segmentBloom));

        var blockDidBloomOffset = output.Position;
        var blockDids = blocks.Select(b => b.Select(r => r.Did).Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).ToList()).ToList();
        var capacity = Math.Max(1, blockDids.Count == 0 ? 1 : blockDids.Max(d => d.Count));
        var bloomSize = blocks.Count == 0 ? 0 : new GloomBloom(capacity).SerializedLength;
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)blocks.Count);
        output.Write(u32);
        BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)bloomSize);
        output.Write(u32);
        foreach (var dids in blockDids)
        {
            var bloom = new GloomBloom(capacity);
            dids.ForEach(bloom.Add);
            output.Write(Serialize(bloom));
        }

        var collectionIndexOffset = output.Position;
        output.Write(EncodeCollectionIndex(blocks, zstd));

        var file = output.ToArray();
        var h = file.AsSpan(0, HeaderSize);
        "jss0"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(h[14..], (uint)blocks.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(h[18..], (uint)Count);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], (uint)allDids.Count);
        var rows = blocks.SelectMany(b => b).ToList();
        BinaryPrimitives.WriteUInt64LittleEndian(h[26..], rows.Count == 0 ? 0 : (ulong)rows[0].Seq);
        BinaryPrimitives.WriteUInt64LittleEndian(h[34..], rows.Count == 0 ? 0 : (ulong)rows[^1].Seq);
        BinaryPrimitives.WriteInt64LittleEndian(h[42..], rows.Count == 0 ? 0 : rows.Min(r => r.WitnessedAt));
        BinaryPrimitives.WriteInt64LittleEndian(h[50..], rows.Count == 0 ? 0 : rows.Max(r => r.WitnessedAt));
        BinaryPrimitives.WriteUInt64LittleEndian(h[58..], (ulong)footerOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(h[66..], (ulong)didBloomOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(h[74..], (ulong)blockDidBloomOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(h[82..], (ulong)collectionIndexOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(h[90..], (ulong)footerOffset);

        var hash = new XxHash3();
        hash.Append(file.AsSpan(12, HeaderSize - 12));
        hash.Append(file.AsSpan((int)footerOffset));
        BinaryPrimitives.WriteUInt64LittleEndian(h[4..], hash.GetCurrentHashAsUInt64());
        return file;
    }

    /// <summary>The columnar body of one block: count, fixed-width columns, then the byte strings region by region.</summary>
    internal static byte[] EncodeBody(IReadOnlyList<JssArchiveRow> rows)
    {
        var n = rows.Count;
        var strings = rows.Select(r => (
            Collection: Encoding.UTF8.GetBytes(r.Collection),
            Did: Encoding.UTF8.GetBytes(r.Did),
            RKey: Encoding.UTF8.GetBytes(r.RKey),
            Rev: Encoding.UTF8.GetBytes(r.Rev))).ToList();
        var total = 4 + (34 * n) + strings.Sum(s => s.Collection.Length + s.Did.Length + s.RKey.Length + s.Rev.Length) + rows.Sum(r => r.Payload.Length);
        var body = new byte[total];
        var b = body.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)n);
        for (var i = 0; i < n; i++)
        {
            var r = rows[i];
            var s = strings[i];
            if (s.Collection.Length > 255 || s.RKey.Length > 255 || s.Rev.Length > 255 || s.Did.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"Row {r.Seq} has a string longer than its column allows.", nameof(rows));
            }

            BinaryPrimitives.WriteUInt64LittleEndian(b[(4 + (8 * i))..], (ulong)r.Seq);
            BinaryPrimitives.WriteInt64LittleEndian(b[(4 + (8 * n) + (8 * i))..], r.WitnessedAt);
            BinaryPrimitives.WriteInt64LittleEndian(b[(4 + (16 * n) + (8 * i))..], r.IndexedAt);
            b[4 + (24 * n) + i] = r.Kind;
            b[4 + (25 * n) + i] = (byte)s.Collection.Length;
            BinaryPrimitives.WriteUInt16LittleEndian(b[(4 + (26 * n) + (2 * i))..], (ushort)s.Did.Length);
            b[4 + (28 * n) + i] = (byte)s.RKey.Length;
            b[4 + (29 * n) + i] = (byte)s.Rev.Length;
            BinaryPrimitives.WriteUInt32LittleEndian(b[(4 + (30 * n) + (4 * i))..], (uint)r.Payload.Length);
        }

        var at = 4 + (34 * n);
        foreach (var s in strings)
        {
            s.Collection.CopyTo(body, at);
            at += s.Collection.Length;
        }

        foreach (var s in strings)
        {
            s.Did.CopyTo(body, at);
            at += s.Did.Length;
        }

        foreach (var s in strings)
        {
            s.RKey.CopyTo(body, at);
            at += s.RKey.Length;
        }

        foreach (var s in strings)
        {
            s.Rev.CopyTo(body, at);
            at += s.Rev.Length;
        }

        foreach (var r in rows)
        {
            r.Payload.Span.CopyTo(b[at..]);
            at += r.Payload.Length;
        }

        return body;
    }

    private static byte[] Serialize(GloomBloom bloom)
    {
        var bytes = new byte[bloom.SerializedLength];
        bloom.WriteTo(bytes);
        return bytes;
    }

    private static byte[] EncodeCollectionIndex(List<List<JssArchiveRow>> blocks, Compressor zstd)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var counts = new List<uint>();
        var perBlock = new List<HashSet<int>>();
        foreach (var block in blocks)
        {
            var set = new HashSet<int>();
            foreach (var row in block)
            {
                var name = row.Kind switch
                {
                    4 => "$identity",
                    5 => "$account",
                    6 => "$sync",
                    _ => row.Collection,
                };
                if (name.Length == 0)
                {
                    continue;
                }

                if (!ids.TryGetValue(name, out var id))
                {
                    id = names.Count;
                    ids.Add(name, id);
                    names.Add(name);
                    counts.Add(0);
                }

                if (row.IsCommit)
                {
                    counts[id]++;
                }

                set.Add(id);
            }

            perBlock.Add(set);
        }

        var maskLength = (names.Count + 7) / 8;
        using var body = new MemoryStream();
        Span<byte> u32 = stackalloc byte[4];
        for (var i = 0; i < names.Count; i++)
        {
            var name = Encoding.UTF8.GetBytes(names[i]);
            body.WriteByte((byte)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(u32, counts[i]);
            body.Write(u32);
            body.Write(name);
        }

        foreach (var set in perBlock)
        {
            var mask = new byte[maskLength];
            foreach (var id in set)
            {
                mask[id / 8] |= (byte)(1 << (id % 8));
            }

            body.Write(mask);
        }

        var raw = body.ToArray();
        var region = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(region, (uint)names.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(region.AsSpan(4), (uint)blocks.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(region.AsSpan(8), (uint)maskLength);
        BinaryPrimitives.WriteUInt32LittleEndian(region.AsSpan(12), (uint)raw.Length);
        return [.. region, .. zstd.Wrap(raw)];
    }
}
