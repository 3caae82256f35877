using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Testing.Archive;
using NUnit.Framework;
using static Jetstream.Reactive.IntegrationTests.Archive.BackfillFixture;

namespace Jetstream.Reactive.IntegrationTests.Archive;

/// <summary>Faults injected at each stage of a backfill: recoverable ones cost nothing, permanent ones fail the stream loudly.</summary>
[CancelAfter(60_000)]
public sealed class BackfillFaultTests
{
    private static IEnumerable<long> Seqs(long from, long through) => Enumerable.Range((int)from, (int)(through - from + 1)).Select(i => (long)i);

    private static async Task<(List<JetstreamEvent> Events, Testing.JetstreamTestServer Server)> RunAsync(ArchiveEndpoint endpoint, ArchiveFault[] faults, long afterSeq, CancellationToken token)
    {
        var server = await StartAsync(token);
        Publish(server, 96);
        server.SealArchive(); // 12 blocks of 8
        foreach (var fault in faults)
        {
            server.ArchiveFaults.Enqueue(endpoint, fault);
        }

        server.ArchiveFaults.SlowDelay = TimeSpan.FromMilliseconds(100);
        var events = await CollectAsync(JetstreamArchive.Backfill(Options(server) with { AfterSeq = afterSeq, SnapshotOnly = true }), long.MaxValue, token);
        return (events, server);
    }

    // afterSeq 0 plans the whole segment (getSegment); afterSeq 72 plans 3 of 12 blocks (getBlock).
    [TestCase(ArchiveEndpoint.PlanSnapshot, new[] { ArchiveFault.InternalError, ArchiveFault.TooManyRequests }, 0)]
    [TestCase(ArchiveEndpoint.PlanSnapshot, new[] { ArchiveFault.Unavailable, ArchiveFault.Slow }, 0)]
    [TestCase(ArchiveEndpoint.GetSegment, new[] { ArchiveFault.TruncatedBody, ArchiveFault.CorruptBody }, 0)]
    [TestCase(ArchiveEndpoint.GetSegment, new[] { ArchiveFault.BadGateway, ArchiveFault.Slow }, 0)]
    [TestCase(ArchiveEndpoint.GetBlock, new[] { ArchiveFault.CorruptBody, ArchiveFault.TruncatedBody }, 72)]
    [TestCase(ArchiveEndpoint.GetBlock, new[] { ArchiveFault.Unavailable, ArchiveFault.BadGateway, ArchiveFault.Slow }, 72)]
    public async Task Backfill_RecoverableFault_IsRetriedAndEveryEventArrivesOnce(ArchiveEndpoint endpoint, ArchiveFault[] faults, long afterSeq, CancellationToken token)
    {
        var (events, server) = await RunAsync(endpoint, faults, afterSeq, token);
        await using var _ = server;
        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Seqs(afterSeq + 1, 96)));
        Assert.That(server.ArchiveFaults.Injected, Is.EqualTo(faults.Length));
        var failed = server.ArchiveRequests.Count(r => r.Endpoint == endpoint && r.Status >= 400);
        Assert.That(failed, Is.AtMost(faults.Length), "each fault costs at most one failed request");
    }

    [TestCase(ArchiveEndpoint.GetSegment, ArchiveFault.NotFound, 0, "SegmentNotFound", 1)]
    [TestCase(ArchiveEndpoint.GetBlock, ArchiveFault.NotFound, 72, "BlockNotFound", 1)]
    [TestCase(ArchiveEndpoint.GetBlock, ArchiveFault.InternalError, 72, "InternalServerError", 3)]
    [TestCase(ArchiveEndpoint.PlanSnapshot, ArchiveFault.InternalError, 0, "InternalServerError", 3)]
    public async Task Backfill_PermanentOrPersistentFault_FailsTheStreamNamingTheError(ArchiveEndpoint endpoint, ArchiveFault fault, long afterSeq, string error, int attempts, CancellationToken token)
    {
        await using var server = await StartAsync(token);
        Publish(server, 96);
        server.SealArchive();
        server.ArchiveFaults.Enqueue(endpoint, fault, count: 10);
        var failure = await Assert.ThrowsAsync<JetstreamArchiveException>(() =>
            CollectAsync(JetstreamArchive.Backfill(Options(server) with { AfterSeq = afterSeq, SnapshotOnly = true }), long.MaxValue, token));
        Assert.That(failure!.Error, Is.EqualTo(error));
        // Blocks are fetched in parallel: count the attempts of each request.
        var perRequest = server.ArchiveRequests.Where(r => r.Endpoint == endpoint).GroupBy(r => r.Query).Select(g => g.Count());
        Assert.That(perRequest.Max(), Is.EqualTo(attempts), "4xx fail at once; 5xx get MaxAttempts");
    }

    [TestCase(ArchiveFault.NoProgress, "no progress")]
    [TestCase(ArchiveFault.UnknownMode, "unknown mode")]
    public async Task Backfill_BrokenPlan_FailsInsteadOfLooping(ArchiveFault fault, string named, CancellationToken token)
    {
        await using var server = await StartAsync(token, planMaxEntries: 1);
        for (var i = 0; i < 2; i++)
        {
            Publish(server, 16);
            server.SealArchive();
        }

        server.ArchiveFaults.Enqueue(ArchiveEndpoint.PlanSnapshot, fault);
        var failure = await Assert.ThrowsAsync<JetstreamArchiveException>(() =>
            CollectAsync(JetstreamArchive.Backfill(Options(server) with { SnapshotOnly = true, AfterSeq = 0 }), long.MaxValue, token));
        Assert.That(failure!.Message, Does.Contain(named));
    }

    [Test]
    public async Task Backfill_ApiKey_IsSentOnTheThreeArchiveCallsAndAMissingKeyIs401AtOnce(CancellationToken token)
    {
        await using var server = await StartAsync(token, apiKey: "secret-key");
        Publish(server, 96);
        server.SealArchive();

        var events = await CollectAsync(JetstreamArchive.Backfill(Options(server) with { ApiKey = "secret-key", AfterSeq = 72, SnapshotOnly = true }), long.MaxValue, token);
        var whole = await CollectAsync(JetstreamArchive.Backfill(Options(server) with { ApiKey = "secret-key", SnapshotOnly = true, AfterSeq = 0 }), long.MaxValue, token);
        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Seqs(73, 96)));
        Assert.That(whole, Has.Count.EqualTo(96));
        Assert.That(server.ArchiveRequests.Select(r => r.Endpoint).Distinct(), Is.EquivalentTo(new[] { ArchiveEndpoint.PlanSnapshot, ArchiveEndpoint.GetBlock, ArchiveEndpoint.GetSegment }));
        Assert.That(server.ArchiveRequests, Has.All.Property(nameof(ArchiveRequest.HasAuthorization)).True);

        var before = server.ArchiveRequests.Count;
        var failure = await Assert.ThrowsAsync<JetstreamArchiveException>(() =>
            CollectAsync(JetstreamArchive.Backfill(Options(server) with { SnapshotOnly = true, AfterSeq = 0 }), long.MaxValue, token));
        Assert.That(failure!.Error, Is.EqualTo("AuthRequired"));
        Assert.That(server.ArchiveRequests.Count - before, Is.EqualTo(1), "401 is not retried");
        Assert.That(failure.Message, Does.Not.Contain("secret-key"));
    }

    [Test]
    public async Task Backfill_SpooledSegments_AreDeletedAfterSuccessAndAfterFailure(CancellationToken token)
    {
        await using var server = await StartAsync(token);
        for (var i = 0; i < 3; i++)
        {
            Publish(server, 32);
            server.SealArchive();
        }

        var folder = Directory.CreateTempSubdirectory("jetstream-spool-").FullName;
        try
        {
            var events = await CollectAsync(JetstreamArchive.Backfill(Options(server) with { SnapshotOnly = true, AfterSeq = 0, TempDirectory = folder }), long.MaxValue, token);
            Assert.That(events, Has.Count.EqualTo(96));
            Assert.That(Directory.GetFiles(folder), Is.Empty, "every spooled segment is deleted once replayed");

            server.ArchiveFaults.Enqueue(ArchiveEndpoint.GetSegment, ArchiveFault.Slow);
            server.ArchiveFaults.Enqueue(ArchiveEndpoint.GetSegment, ArchiveFault.NotFound);
            await Assert.ThrowsAsync<JetstreamArchiveException>(() =>
                CollectAsync(JetstreamArchive.Backfill(Options(server) with { SnapshotOnly = true, AfterSeq = 0, TempDirectory = folder }), long.MaxValue, token));
            await Reliability.FaultSuite.WaitUntilAsync(() => Directory.GetFiles(folder).Length == 0, "the spool folder is empty after the failure", Reliability.FaultSuite.Deadline, token);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task Backfill_SegmentBodyCutOff_ResumesWithRangeAndIfRangeInsteadOfStartingOver(CancellationToken token)
    {
        await using var server = await StartAsync(token);
        Publish(server, 96);
        server.SealArchive();
        var size = server.GetArchiveSegment("seg_0000000000.jss")!.Length;
        server.ArchiveFaults.Enqueue(ArchiveEndpoint.GetSegment, ArchiveFault.TruncatedBody);
        JetstreamBackfillProgress? last = null;
        var options = Options(server) with
        {
            SnapshotOnly = true,
            AfterSeq = 0,
            Progress = System.Reactive.Observer.Create<JetstreamBackfillProgress>(p => last = p),
        };

        var events = await CollectAsync(JetstreamArchive.Backfill(options), long.MaxValue, token);
        Assert.That(events, Has.Count.EqualTo(96));
        var downloads = server.ArchiveRequests.Where(r => r.Endpoint == ArchiveEndpoint.GetSegment).ToList();
        Assert.That(downloads, Has.Count.EqualTo(2));
        Assert.That(downloads[1].Range, Does.Match(@"^bytes=[1-9][0-9]*-$"), "the second request continues where the first stopped");
        Assert.That(downloads[1].Status, Is.EqualTo(206));
        Assert.That(last!.BytesDownloaded, Is.EqualTo(size), "no byte fetched twice");
    }
}
