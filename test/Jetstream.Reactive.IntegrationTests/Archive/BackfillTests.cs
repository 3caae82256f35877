using System.Reactive.Linq;
using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Testing.Archive;
using NUnit.Framework;
using static Jetstream.Reactive.IntegrationTests.Archive.BackfillFixture;

namespace Jetstream.Reactive.IntegrationTests.Archive;

/// <summary>Archive replay then live against the emulator: every event exactly once, in seq order, across the cutover.</summary>
[CancelAfter(60_000)]
public sealed class BackfillTests
{
    private static IEnumerable<long> Seqs(long from, long through) => Enumerable.Range((int)from, (int)(through - from + 1)).Select(i => (long)i);

    [Test]
    public async Task Backfill_SealedHistoryThenActiveThenLive_EveryEventExactlyOnceInSeqOrder(CancellationToken token)
    {
        await using var server = await StartAsync(token);
        Publish(server, 100);
        server.SealArchive();
        Publish(server, 30); // 101..130 stay in the active segment: only the live socket has them

        var stream = JetstreamArchive.Backfill(Options(server));
        var collecting = CollectAsync(stream, 150, token);
        await Reliability.FaultSuite.WaitUntilAsync(() => server.Connections.Count > 0, "the cutover connect", Reliability.FaultSuite.Deadline, token);
        Publish(server, 20); // 131..150 arrive live

        var events = await collecting;
        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Seqs(1, 150)));
        Assert.That(server.Connections[0].Query, Does.Contain("cursor=100"), "cut over at the sealed tip");
        Assert.That(server.ArchiveRequests.Select(r => r.Endpoint), Does.Contain(ArchiveEndpoint.GetSegment));
    }

    [Test]
    public async Task Backfill_HostileSeqOnTheLiveSocket_DeliveryContinuesPastIt(CancellationToken token)
    {
        // 10^12 past the last seq from the host: a cursor the stream delivers but never resumes from (issue 12).
        const long Hostile = 5_000_000_000_000;
        await using var server = await StartAsync(token);
        Publish(server, 100);
        server.SealArchive();
        Publish(server, 30);
        server.Faults.Next(s => s.HostileCursorAfter(10, Hostile));

        var stream = JetstreamArchive.Backfill(Options(server)).Where(e => e.Cursor != Hostile);
        var collecting = CollectAsync(stream, 150, token);
        await Reliability.FaultSuite.WaitUntilAsync(() => server.Connections.Count > 0, "the cutover connect", Reliability.FaultSuite.Deadline, token);
        Publish(server, 20);

        var events = await collecting;
        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Seqs(1, 150)), "the hostile seq did not hide the events after it");
    }

    [Test]
    public async Task Backfill_ResumeMidSegment_StartsRightAfterTheSavedCursorWithBlockFetches(CancellationToken token)
    {
        await using var server = await StartAsync(token);
        Publish(server, 96);
        server.SealArchive(); // 12 blocks of 8

        var events = await CollectAsync(JetstreamArchive.Backfill(Options(server) with { AfterSeq = 77, SnapshotOnly = true }), long.MaxValue, token);
        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Seqs(78, 96)));
        var blocks = server.ArchiveRequests.Where(r => r.Endpoint == ArchiveEndpoint.GetBlock).Select(r => r.Query).ToList();
        Assert.That(blocks, Has.Count.EqualTo(3), "blocks 9, 10 and 11 only (density 3/12 < 0.75)");
        Assert.That(server.Connections, Is.Empty, "a snapshot opens no socket");
    }

    [Test]
    public async Task Backfill_SnapshotWithBounds_DeliversExactlyTheRangeAndCompletes(CancellationToken token)
    {
        await using var server = await StartAsync(token);
        Publish(server, 64);
        server.SealArchive();
        Publish(server, 10);

        var events = await CollectAsync(JetstreamArchive.Backfill(Options(server) with { AfterSeq = 10, BeforeSeq = 40, SnapshotOnly = true }), long.MaxValue, token);
        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Seqs(11, 40)));
    }

    [TestCase("app.bsky.feed.like", false)]
    [TestCase("app.bsky.feed.*", true)]
    public async Task Backfill_CollectionFilter_DeliversMatchingCommitsAndEveryMarkerAcrossTheCutover(string collection, bool commitsOnly, CancellationToken token)
    {
        await using var server = await StartAsync(token);
        var lines = Publish(server, 150).ToList();
        server.SealArchive();
        lines.AddRange(Publish(server, 40));

        var kinds = commitsOnly ? new[] { JetstreamEventKind.Commit } : [];
        var options = Options(server, live => live with { WantedCollections = [collection], Kinds = kinds });
        var prefix = collection.EndsWith(".*", StringComparison.Ordinal) ? collection[..^1] : null;
        var expected = lines.Select((line, i) => (Seq: i + 1L, Info: Describe(line)))
            .Where(x => x.Info.Kind == "commit"
                ? prefix is null ? x.Info.Collection == collection : x.Info.Collection!.StartsWith(prefix, StringComparison.Ordinal)
                : !commitsOnly)
            .Select(x => x.Seq)
            .ToList();
        Assert.That(expected, Has.Count.GreaterThan(5));
        if (!commitsOnly)
        {
            Assert.That(lines.Any(l => Describe(l).Kind != "commit"), Is.True, "the corpus has markers");
        }

        var events = await CollectAsync(JetstreamArchive.Backfill(options), expected[^1], token);
        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(expected));
    }

    [Test]
    public async Task Backfill_TipAdvancesDuringThePlan_SealedTipStaysPinnedAndLiveReplaysTheRest(CancellationToken token)
    {
        await using var server = await StartAsync(token, eventsPerBlock: 8, planMaxEntries: 1);
        for (var i = 0; i < 3; i++)
        {
            Publish(server, 40);
            server.SealArchive();
        }

        server.ArchiveFaults.AfterPlanPage = page =>
        {
            if (page == 1)
            {
                Publish(server, 40); // 121..160 sealed while the client pages: above the pinned tip
                server.SealArchive();
            }
        };

        var events = await CollectAsync(JetstreamArchive.Backfill(Options(server)), 160, token);
        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Seqs(1, 160)));
        var plans = server.ArchiveRequests.Where(r => r.Endpoint == ArchiveEndpoint.PlanSnapshot).ToList();
        Assert.That(plans, Has.Count.EqualTo(3), "one entry per page, three segments under the pinned tip");
        Assert.That(plans.Skip(1).Select(p => p.Body), Has.All.Contains("\"beforeSeq\":120"));
        Assert.That(server.Connections[0].Query, Does.Contain("cursor=120"));
    }

    [Test]
    public async Task Backfill_CursorTooOldAtCutover_ReBackfillsFromTheLastSeqAndGoesLive(CancellationToken token)
    {
        await using var server = await StartAsync(token, retained: 50);
        Publish(server, 40);
        server.SealArchive();
        Publish(server, 40);
        server.SealArchive(); // tip 80
        var moved = 0;
        server.ArchiveFaults.BeforeAnswer = endpoint =>
        {
            if (endpoint == ArchiveEndpoint.GetSegment && Interlocked.Increment(ref moved) == 1)
            {
                // While the client replays up to 80, the server seals more and its live floor passes 80.
                Publish(server, 40);
                server.SealArchive();
                Publish(server, 40);
                server.SealArchive(); // tip 160, floor 111
            }
        };

        var events = await CollectAsync(JetstreamArchive.Backfill(Options(server)), 160, token);
        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Seqs(1, 160)));
        Assert.That(server.Connections[0].RejectionBody, Does.Contain("CursorTooOld"));
        Assert.That(server.ArchiveRequests.Where(r => r.Endpoint == ArchiveEndpoint.PlanSnapshot).Select(r => r.Body), Has.Some.Contains("\"afterSeq\":80"), "the second sweep starts at the last seq");
    }

    [Test]
    public async Task Backfill_CursorTooOldWithoutProgress_FailsAfterFiveStalls(CancellationToken token)
    {
        await using var server = await StartAsync(token, retained: 20);
        Publish(server, 20);
        server.SealArchive();
        Publish(server, 40); // floor 41: the archive (tip 20) can never reach the live window

        var error = await Assert.ThrowsAsync<JetstreamArchiveException>(() => CollectAsync(JetstreamArchive.Backfill(Options(server)), long.MaxValue, token));
        Assert.That(error!.Error, Is.EqualTo("CursorTooOld"));
        Assert.That(server.Connections, Has.Count.EqualTo(6), "the first cutover plus five re-backfills without progress");
    }

    [Test]
    public async Task Backfill_HighConcurrencyWithSlowFirstBlock_DoesNotReorder(CancellationToken token)
    {
        await using var server = await StartAsync(token);
        Publish(server, 200);
        server.SealArchive(); // 25 blocks
        server.ArchiveFaults.SlowDelay = TimeSpan.FromMilliseconds(300);
        server.ArchiveFaults.Enqueue(ArchiveEndpoint.GetBlock, ArchiveFault.Slow);

        var options = Options(server, live => live with { WantedDids = [Describe(Corpus.RealLines[0]).Did] }) with { DownloadConcurrency = 16, SnapshotOnly = true, AfterSeq = 1 };
        var events = await CollectAsync(JetstreamArchive.Backfill(options with { }), long.MaxValue, token);
        var all = await CollectAsync(JetstreamArchive.Backfill(Options(server) with { DownloadConcurrency = 16, SnapshotOnly = true, AfterSeq = 30 }), long.MaxValue, token);
        Assert.That(all.Select(e => e.Cursor), Is.EqualTo(Seqs(31, 200)));
        Assert.That(events.Select(e => e.Cursor), Is.Ordered.Ascending.And.Unique);
        Assert.That(events.Select(e => e.Did), Has.All.EqualTo(Describe(Corpus.RealLines[0]).Did));
    }
}
