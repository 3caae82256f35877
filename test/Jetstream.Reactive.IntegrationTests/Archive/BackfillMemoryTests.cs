using System.Formats.Cbor;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Testing.Archive;
using NUnit.Framework;
using static Jetstream.Reactive.IntegrationTests.Archive.BackfillFixture;

namespace Jetstream.Reactive.IntegrationTests.Archive;

/// <summary>A large synthetic archive replays with memory bounded by the download window, not by the archive's size.</summary>
[NonParallelizable] // Measures the process-wide heap (GC.GetTotalMemory): a neighbour's allocations would count.
[CancelAfter(120_000)]
public sealed class BackfillMemoryTests
{
    private const int Segments = 4;
    private const int RowsPerSegment = 25_000;

    private static byte[] Record(int i)
    {
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(3);
        w.WriteTextString("text");
        w.WriteTextString(new string((char)('a' + (i % 26)), 800));
        w.WriteTextString("$type");
        w.WriteTextString("app.bsky.feed.post");
        w.WriteTextString("createdAt");
        w.WriteTextString("2025-01-01T00:00:00.000Z");
        w.WriteEndMap();
        return w.Encode();
    }

    [Test]
    public async Task Backfill_LargeArchive_HeapStaysBoundedWhileEveryEventArrivesInOrder(CancellationToken token)
    {
        await using var server = await StartAsync(token);
        var seq = 0L;
        for (var s = 0; s < Segments; s++)
        {
            var writer = new JssSegmentWriter(maxEventsPerBlock: 1024);
            for (var i = 0; i < RowsPerSegment; i++)
            {
                seq++;
                writer.Append(new JssArchiveRow(seq, 1_750_000_000_000_000 + seq, 0, 1, $"did:plc:{seq % 997:d24}", "app.bsky.feed.post", $"r{seq}", "rev", Record((int)seq)));
            }

            server.AddArchiveSegment(writer.Seal());
        }

        var total = (long)Segments * RowsPerSegment;
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, count = 0, last = 0;
        var ordered = true;
        await JetstreamArchive.Backfill(Options(server) with { SnapshotOnly = true, AfterSeq = 0, DownloadConcurrency = 8 })
            .Do(e =>
            {
                ordered &= e.Cursor == last + 1;
                last = e.Cursor;
                if (++count % 20_000 == 0)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                }
            })
            .LastAsync()
            .ToTask(token);

        Assert.That(count, Is.EqualTo(total));
        Assert.That(ordered, Is.True);

        // Holding every decoded event would take well over 100 MB (800-byte records); the window holds 8 blocks.
        TestContext.Out.WriteLine($"peak heap growth {peak / 1024} KiB for {total} events (baseline {baseline / 1024} KiB)");
        Assert.That(peak, Is.LessThan(48L * 1024 * 1024));
    }
}
