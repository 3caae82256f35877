using System.Buffers.Binary;
using System.Globalization;

namespace Jetstream.Reactive.Archive;

/// <summary>
/// Parses a decompressed block body (count, fixed-width columns, then the concatenated byte strings) into rows.
/// Every length is checked against the buffer: any inconsistency rejects the whole block, as the server's reader does.
/// </summary>
internal static class JssBlockBody
{
    /// <summary>The most rows one block may hold (the server's decoder limit).</summary>
    public const int MaxRows = 262_144;

    private const int FixedBytesPerRow = 34;

    public static void Parse(ReadOnlySpan<byte> body, List<JssRow> rows)
    {
        rows.Clear();
        if (body.Length < 4)
        {
            throw Fail($"block body is {body.Length} bytes, shorter than its 4-byte row count");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(body);
        if (count > MaxRows)
        {
            throw Fail($"block declares {count} rows, limit {MaxRows}");
        }

        var n = (int)count;
        long fixedEnd = 4 + ((long)FixedBytesPerRow * n);
        if (fixedEnd > body.Length)
        {
            throw Fail($"block of {n} rows needs {fixedEnd} bytes of columns, body has {body.Length}");
        }

        var seqs = body.Slice(4, 8 * n);
        var witnessed = body.Slice(4 + (8 * n), 8 * n);
        var indexed = body.Slice(4 + (16 * n), 8 * n);
        var kinds = body.Slice(4 + (24 * n), n);
        var collectionLengths = body.Slice(4 + (25 * n), n);
        var didLengths = body.Slice(4 + (26 * n), 2 * n);
        var rkeyLengths = body.Slice(4 + (28 * n), n);
        var revLengths = body.Slice(4 + (29 * n), n);
        var payloadLengths = body.Slice(4 + (30 * n), 4 * n);

        // Each region's total first: the regions follow each other, so their starts come from the sums.
        long collectionTotal = 0, didTotal = 0, rkeyTotal = 0, revTotal = 0, payloadTotal = 0;
        for (var i = 0; i < n; i++)
        {
            var kind = kinds[i];
            if (kind is < 1 or > 7)
            {
                // An unknown kind is a newer format, not a bad row: reject the block loudly.
                throw Fail($"row {i} has unknown kind {kind} (a newer archive format?)");
            }

            collectionTotal += collectionLengths[i];
            didTotal += BinaryPrimitives.ReadUInt16LittleEndian(didLengths[(2 * i)..]);
            rkeyTotal += rkeyLengths[i];
            revTotal += revLengths[i];
            payloadTotal += BinaryPrimitives.ReadUInt32LittleEndian(payloadLengths[(4 * i)..]);
        }

        var expected = fixedEnd + collectionTotal + didTotal + rkeyTotal + revTotal + payloadTotal;
        if (expected != body.Length)
        {
            throw Fail(expected > body.Length
                ? $"block rows need {expected} bytes, body has {body.Length}"
                : $"block body has {body.Length - expected} trailing bytes");
        }

        var collection = (int)fixedEnd;
        var did = (int)(collection + collectionTotal);
        var rkey = (int)(did + didTotal);
        var rev = (int)(rkey + rkeyTotal);
        var payload = (int)(rev + revTotal);
        if (rows.Capacity < n)
        {
            rows.Capacity = n;
        }

        for (var i = 0; i < n; i++)
        {
            int cl = collectionLengths[i], dl = BinaryPrimitives.ReadUInt16LittleEndian(didLengths[(2 * i)..]);
            int kl = rkeyLengths[i], rl = revLengths[i];
            var pl = (int)BinaryPrimitives.ReadUInt32LittleEndian(payloadLengths[(4 * i)..]);
            rows.Add(new JssRow(
                BinaryPrimitives.ReadUInt64LittleEndian(seqs[(8 * i)..]),
                BinaryPrimitives.ReadInt64LittleEndian(witnessed[(8 * i)..]),
                BinaryPrimitives.ReadInt64LittleEndian(indexed[(8 * i)..]),
                (JssRowKind)kinds[i],
                collection,
                cl,
                did,
                dl,
                rkey,
                kl,
                rev,
                rl,
                payload,
                pl));
            collection += cl;
            did += dl;
            rkey += kl;
            rev += rl;
            payload += pl;
        }
    }

    private static JssFormatException Fail(string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Malformed .jss block: {message}."));
}
