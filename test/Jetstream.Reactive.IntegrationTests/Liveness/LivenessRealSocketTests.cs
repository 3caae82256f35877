using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests.Liveness;

/// <summary>
/// Liveness and cursor integrity against the emulator over real loopback sockets, with short configured intervals:
/// quiet filtered streams and silent replay scans keep their connection, a dark peer is caught by the keep-alive, and
/// hostile cursor values or a sequence reset never stop delivery.
/// </summary>
[NonParallelizable] // Real silences timed on the wall clock: a busy neighbour would stretch them.
[CancelAfter(120_000)]
public sealed class LivenessRealSocketTests
{
    private const string Watched = "did:plc:wwwwwwwwwwwwwwwwwwwwwwww";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static JetstreamOptions Options(JetstreamTestServer server) => new()
    {
        Endpoint = server.Uri,
        Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(2), MaxDelay = TimeSpan.FromMilliseconds(20) },
        KeepAliveInterval = TimeSpan.FromMilliseconds(300),
        KeepAliveTimeout = TimeSpan.FromMilliseconds(700),
    };

    private static string Other(long i) => TestEvents.Like(rkey: $"o{i}", did: $"did:plc:{i % 37:D24}");

    private static string Mine(long i) => TestEvents.Like(rkey: $"m{i}", did: Watched);

    [Test]
    public async Task Connect_FilteredStreamSilentForTenIdleTimeoutsWithPings_OneConnectionNothingLost(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { PingInterval = TimeSpan.FromMilliseconds(200) }, token);

        // The library's clock runs 100 × faster: the default 60 s idle timeout is 0.6 s of wall clock, 10 × it is 6 s.
        var options = Options(server) with { WantedDids = [Watched], Scheduler = new FastClockScheduler(100) };
        var received = JetstreamObservable.Connect(options).Take(2).ToList().ToTask(token);
        await server.WaitForConnectionsAsync(1, Deadline, token);
        server.Publish(Mine(1));
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(6))
        {
            server.Publish(Other(quiet.ElapsedMilliseconds)); // the firehose goes on; none of it matches
            await Task.Delay(100, token);
        }

        server.Publish(Mine(2));
        var events = await received.WaitAsync(Deadline, token);

        Assert.That(events.Select(e => ((CommitEvent)e).Commit.RKey), Is.EqualTo(new[] { "m1", "m2" }));
        Assert.That(server.Connections, Has.Count.EqualTo(1), string.Join("; ", server.Connections));
    }

    [TestCase(JetstreamProtocol.V1)]
    [TestCase(JetstreamProtocol.V2)]
    public async Task Connect_DarkPeer_ReconnectsWithinKeepAliveAndResumesFromTheCursorExactlyOnce(JetstreamProtocol protocol, CancellationToken token)
    {
        const int total = 200;
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Other, total),
            Faults = new FaultPlan().Next(s => s.GoDarkAfter(50)),
        }, token);

        // No data-silence timeout at all: only the keep-alive can notice the dead peer.
        var options = Options(server) with { Protocol = protocol, IdleTimeout = Timeout.InfiniteTimeSpan };
        var clock = Stopwatch.StartNew();
        var events = await JetstreamObservable.Connect(options).Take(total).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(events.Select(e => e.ServerCursor), Is.EqualTo(Enumerable.Range(1, total).Select(i => (long?)i)), "every event exactly once, in order");
        Assert.That(server.Connections, Has.Count.EqualTo(2));
        Assert.That(server.Connections[0].EndReason, Does.StartWith("went dark"));
        Assert.That(server.Connections[1].RequestedCursor, Is.EqualTo(50));

        // Interval + timeout is 1 s; the runtime's defaults (20 s + 10 s) would take 30 s. Generous for a loaded machine.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
    }

    [TestCase(JetstreamProtocol.V1)]
    [TestCase(JetstreamProtocol.V2)]
    public async Task Connect_ResumedSparseStreamBehindLongSilentScan_ReachesLive(JetstreamProtocol protocol, CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Other, 20_000),
            ReplayScanRate = 10_000, // 2 s of silent scan: more than 3 × the default idle timeout on the fast clock
            PingInterval = TimeSpan.FromMilliseconds(200),
        }, token);
        server.Publish(Mine(1), Mine(2));

        var options = Options(server) with { Protocol = protocol, WantedDids = [Watched], Cursor = 1, Scheduler = new FastClockScheduler(100) };
        var seen = 0;
        var received = JetstreamObservable.Connect(options).Do(_ => Interlocked.Increment(ref seen)).Take(3).ToList().ToTask(token);
        await server.WaitForConnectionsAsync(1, Deadline, token);

        // m1 and m2 are the last events of the log, so once both arrived the scan is over and the stream is live.
        await Reliability.FaultSuite.WaitUntilAsync(() => Volatile.Read(ref seen) >= 2, "the scan reached m1 and m2", Deadline, token);
        server.Publish(Mine(3));
        var events = await received.WaitAsync(Deadline, token);

        Assert.That(events.Select(e => ((CommitEvent)e).Commit.RKey), Is.EqualTo(new[] { "m1", "m2", "m3" }));
        Assert.That(server.Connections, Has.Count.EqualTo(1), string.Join("; ", server.Connections));
    }

    [TestCase(ServerFlavor.Legacy, long.MaxValue)]
    [TestCase(ServerFlavor.Legacy, -5L)]
    [TestCase(ServerFlavor.Current, long.MaxValue)]
    public async Task Connect_HostileTimeUsThenDrop_DeliveryContinuesAndSavedCursorSane(ServerFlavor flavor, long hostile, CancellationToken token)
    {
        const int total = 200;
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Flavor = flavor,
            Events = JetstreamEventSource.FromGenerator(Other, total),
            Faults = new FaultPlan().Next(s => s.HostileCursorAfter(50, hostile).DropAfter(50)),
        }, token);
        var store = new RecordingCursorStore();
        var options = Options(server) with { CursorStore = store, CursorSaveInterval = TimeSpan.FromMilliseconds(100) };
        var sub = JetstreamObservable.Connect(options);
        var events = await sub.Take(total + 1).ToList().ToTask(token).WaitAsync(Deadline, token);

        var rkeys = events.Select(e => ((CommitEvent)e).Commit.RKey).ToList();
        Assert.That(rkeys.Where(k => k != "3hostilecursor"), Is.EqualTo(Enumerable.Range(0, total).Select(i => $"o{i}")), "nothing skipped, nothing twice");
        Assert.That(rkeys.Count(k => k == "3hostilecursor"), Is.EqualTo(1), "the hostile event is delivered once");
        Assert.That(server.Connections, Has.Count.EqualTo(2));
        var lastBeforeDrop = events.Where(e => ((CommitEvent)e).Commit.RKey == "o49").Single();
        Assert.That(server.Connections[1].RequestedCursor, Is.EqualTo(lastBeforeDrop.Cursor), "resumed from the last plausible event");
        Assert.That(store.Saves.Select(s => s.TimeUs), Has.All.GreaterThan(0).And.All.LessThanOrEqualTo(events[^1].TimeUs), "no saved cursor is implausible");
    }

    [Test]
    public async Task Connect_V2SequenceReset_ReportedAndDeliveryContinues(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Faults = new FaultPlan().Next(s => s.ResetSequenceAfter(20)),
        }, token);
        server.Publish(Enumerable.Range(1, 20).Select(i => Mine(i)).ToArray());
        var gaps = new List<JetstreamGap>();
        var options = Options(server) with { Protocol = JetstreamProtocol.V2, Gaps = System.Reactive.Observer.Create<JetstreamGap>(g => { lock (gaps) { gaps.Add(g); } }) };
        var received = JetstreamObservable.Connect(options).Take(30).ToList().ToTask(token);
        var second = (await server.WaitForConnectionsAsync(2, Deadline, token))[1];

        // The server fixes a connection's start position before it answers 101: from then on, the second connection
        // is at the new (empty) tip, and what is published next reaches it.
        await Reliability.FaultSuite.WaitUntilAsync(() => second.Status == 101, "the second connection was upgraded", Deadline, token);
        server.Publish(Enumerable.Range(21, 10).Select(i => Mine(i)).ToArray());
        var events = await received.WaitAsync(Deadline, token);

        Assert.That(events.Select(e => ((CommitEvent)e).Commit.RKey), Is.EqualTo(Enumerable.Range(1, 30).Select(i => $"m{i}")));
        Assert.That(events.Skip(20).Select(e => e.ServerCursor), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long?)i)), "the new instance numbers from 1");
        Assert.That(server.Connections[1].RequestedCursor, Is.EqualTo(20));

        // The Gaps observer is called on the scheduler, not inline with the events: wait for the report (bounded).
        await Reliability.FaultSuite.WaitUntilAsync(
            () =>
            {
                lock (gaps)
                {
                    return gaps.Any(g => g.SequenceReset);
                }
            },
            "the sequence reset report",
            Deadline,
            token);
        lock (gaps)
        {
            Assert.That(gaps.Where(g => g.SequenceReset).Select(g => (g.RequestedCursor, g.FirstCursor)), Is.EqualTo(new[] { (20L, 1L) }));
        }
    }
}
