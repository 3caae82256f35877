using System.Diagnostics.Metrics;
using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests;

/// <summary>The client end to end against the emulator over real loopback sockets. Every wait has a deadline.</summary>
[CancelAfter(120_000)]
public sealed class ClientAgainstEmulatorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static JetstreamOptions Options(JetstreamTestServer server, IMeterFactory? meters = null) => new()
    {
        Endpoint = server.Uri,
        MeterFactory = meters,
        Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(2), MaxDelay = TimeSpan.FromMilliseconds(20) },
        IdleTimeout = TimeSpan.FromSeconds(30),
    };

    private static string Generated(long i) =>
        (i % 10) switch
        {
            0 => TestEvents.Identity(did: Did(i)),
            1 => TestEvents.Account(did: Did(i)),
            2 => TestEvents.Post($"post {i}", rkey: $"p{i}", did: Did(i)),
            _ => TestEvents.Like(rkey: $"l{i}", did: Did(i)),
        };

    private static string Did(long i) => $"did:plc:{i % 37:D24}";

    [TestCase(ServerFlavor.Current)]
    [TestCase(ServerFlavor.Legacy)]
    public async Task Connect_RandomDisconnects_EveryEventExactlyOnceInOrder(ServerFlavor flavor, CancellationToken token)
    {
        const int total = 20_000;
        var faults = new FaultPlan().RandomDrops(seed: 7, minEvents: 200, maxEvents: 1_500, connections: 25);
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Generated, total),
            Flavor = flavor,
            Faults = faults,
        }, token);

        var received = await JetstreamObservable.Connect(Options(server)).Take(total).ToList().ToTask(token).WaitAsync(Deadline, token);

        // The server numbers events 1..N; the client's Cursor is that seq (Current) or the stamped time_us (Legacy).
        var expectedSeqs = Enumerable.Range(1, total).Select(i => (long)i);
        if (flavor == ServerFlavor.Current)
        {
            Assert.That(received.Select(e => e.ServerCursor), Is.EqualTo(expectedSeqs.Select(s => (long?)s)));
        }
        else
        {
            Assert.That(received.Select(e => e.ServerCursor), Has.All.Null);
            Assert.That(received.Select(e => e.TimeUs), Is.Ordered.Ascending.And.Unique);
            Assert.That(received, Has.Count.EqualTo(total));
        }

        var connections = server.Connections;
        Assert.That(connections.Count, Is.GreaterThanOrEqualTo(20), "at least 20 disconnects happened");
        Assert.That(connections.Skip(1).Select(c => c.RequestedCursor), Has.All.Not.Null, "every reconnect resumed by cursor");
        Assert.That(connections.Sum(c => c.EventsSent), Is.GreaterThanOrEqualTo(total + connections.Count - 1), "each resume replays at least the event at the cursor, which the client skips");
    }

    [Test]
    public async Task Connect_Filters_OnlyWantedCollectionsAndDidsPlusTheirIdentityAndAccountEvents(CancellationToken token)
    {
        // Follows (app.bsky.graph.follow) are mixed in, so that a collection filter that is not applied lets some
        // through: with only app.bsky.feed.* commits in the source, the check below would pass with the filter ignored.
        static string WithFollows(long i) =>
            (i % 10) is 4 or 7 ? TestEvents.Commit("app.bsky.graph.follow", rkey: $"f{i}", did: Did(i)) : Generated(i);
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(WithFollows, 1_000),
        }, token);
        var wantedDid = Did(3);
        var options = Options(server) with { WantedCollections = ["app.bsky.feed.*"], WantedDids = [wantedDid] };

        // Of the 1,000 events, those of DID #3 (i % 37 == 3) whose kind passes: all identity/account, and likes/posts.
        var wanted = Enumerable.Range(0, 1_000).Where(i => i % 37 == 3).ToList();
        var expected = wanted.Count(i => i % 10 is not (4 or 7));
        Assume.That(wanted.Count(i => i % 10 is 4 or 7), Is.GreaterThan(0), "the source has follows of the wanted DID to filter out");

        // The events that pass, then the marker: one more published like, so the take ends on it and anything the
        // filter let through before it is in the list.
        var receiving = JetstreamObservable.Connect(options).Take(expected + 1).ToList().ToTask(token);
        await server.WaitForConnectionsAsync(1, Deadline, token);
        server.Publish(TestEvents.Like(rkey: "marker", did: wantedDid));
        var received = await receiving.WaitAsync(Deadline, token);

        Assert.That(received.Select(e => e.Did), Has.All.EqualTo(wantedDid));
        Assert.That(received.OfType<CommitEvent>().Select(e => e.Commit.Collection), Has.All.StartsWith("app.bsky.feed."));
        Assert.That(received[^1] is CommitEvent { Commit.RKey: "marker" }, Is.True, "nothing but the wanted events came before the marker");
        Assert.That(received.Count(e => e.Kind != JetstreamEventKind.Commit), Is.GreaterThan(0), "identity and account events pass a collection filter");
        Assert.That(server.Connections.Single().QueryValues.GetValues("wantedCollections"), Is.EqualTo(new[] { "app.bsky.feed.*" }));
    }

    [Test]
    public async Task Connect_ManyDids_SendsFiltersInOptionsUpdateAndServerAppliesThem(CancellationToken token)
    {
        var dids = Enumerable.Range(0, 1_000).Select(i => $"did:plc:{i:D24}").ToArray();
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(i => TestEvents.Like(rkey: $"l{i}", did: i % 2 == 0 ? dids[i % 1_000] : $"did:plc:other{i}"), 400),
        }, token);

        var received = await JetstreamObservable.Connect(Options(server) with { WantedDids = dids }).Take(200).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(e => e.Did), Has.All.Not.StartWith("did:plc:other"));
        var connection = server.Connections.Single();
        Assert.That(connection.QueryValues["requireHello"], Is.EqualTo("true"));
        Assert.That(connection.QueryValues["wantedDids"], Is.Null);
        Assert.That(connection.ClientMessages.Single(), Does.StartWith("{\"type\":\"options_update\""));
    }

    [Test]
    public async Task Connect_MalformedFramesMixedIn_SkippedCountedByReasonAndEveryEventDelivered(CancellationToken token)
    {
        using var meters = new TestMeterFactory();
        using var malformed = meters.Collect<long>("jetstream.client.frames.malformed");
        using var skipped = meters.Collect<long>("jetstream.client.events.skipped");
        var kinds = new[]
        {
            MalformedFrameKind.NotJson, MalformedFrameKind.DeepNesting, MalformedFrameKind.Empty,
            MalformedFrameKind.BinaryGarbage, MalformedFrameKind.JsonArray, MalformedFrameKind.MissingDid, MalformedFrameKind.MissingTimeUs,
            MalformedFrameKind.MissingKind, MalformedFrameKind.WrongTypes, MalformedFrameKind.UnknownKind,
        };
        var script = new ConnectionScript();
        for (var i = 0; i < kinds.Length; i++)
        {
            script.InjectAfter(i * 10, kinds[i]);
        }

        script.OversizedBytes = 2 * 1024 * 1024;
        script.InjectAfter(115, MalformedFrameKind.Oversized);
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Generated, 200),
            Faults = new FaultPlan().Next(script),
        }, token);

        var options = Options(server, meters) with { MaxMessageSize = 1024 * 1024 };
        var received = await JetstreamObservable.Connect(options).Take(200).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(e => e.ServerCursor), Is.EqualTo(Enumerable.Range(1, 200).Select(i => (long?)i)));
        var byReason = malformed.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["jetstream.reason"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.That(byReason, Is.EquivalentTo(new Dictionary<string, long>
        {
            ["not_json"] = 1,
            ["too_deep"] = 1,
            ["empty"] = 1,
            ["binary_frame"] = 1,
            ["not_an_object"] = 1,
            ["missing_field"] = 3,
            ["wrong_type"] = 1,
            ["too_large"] = 1,
        }));
        Assert.That(skipped.GetMeasurementSnapshot().Where(m => (string)m.Tags["jetstream.reason"]! == "unknown_kind").Sum(m => m.Value), Is.EqualTo(1));
        Assert.That(server.Connections, Has.Count.EqualTo(1), "no malformed frame cost the connection");
    }

    [Test]
    public async Task Connect_InvalidUtf8InATextFrame_WebSocketFailsAndTheClientResumes(CancellationToken token)
    {
        // RFC 6455 §8.1: a text frame that is not UTF-8 fails the WebSocket itself (.NET's included), before any decoder
        // sees it. Real servers never send one (Go's encoder replaces bad bytes); a hostile one costs a reconnect, not data.
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Generated, 100),
            Faults = new FaultPlan().Next(s => s.InjectAfter(40, MalformedFrameKind.InvalidUtf8)),
        }, token);

        var received = await JetstreamObservable.Connect(Options(server)).Take(100).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(e => e.ServerCursor), Is.EqualTo(Enumerable.Range(1, 100).Select(i => (long?)i)));
        Assert.That(server.Connections, Has.Count.EqualTo(2));
        Assert.That(server.Connections[1].RequestedCursor, Is.EqualTo(40));
    }

    [Test]
    public async Task Connect_ServerStalls_IdleTimeoutReconnectsAndResumesByCursor(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Generated, 300),
            Faults = new FaultPlan().Next(s => s.StallAfter(120)),
        }, token);

        var options = Options(server) with { IdleTimeout = TimeSpan.FromSeconds(1) };
        var received = await JetstreamObservable.Connect(options).Take(300).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(e => e.ServerCursor), Is.EqualTo(Enumerable.Range(1, 300).Select(i => (long?)i)));
        var connections = server.Connections;
        Assert.That(connections, Has.Count.EqualTo(2));
        Assert.That(connections[1].RequestedCursor, Is.EqualTo(120));
    }

    [Test]
    public async Task Connect_ServerWarmingUp_RetriesUntilItServes(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.BundledRealEvents,
            Faults = new FaultPlan().WarmUp(3),
        }, token);

        var received = await JetstreamObservable.Connect(Options(server)).Take(167).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received, Has.Count.EqualTo(167));
        Assert.That(server.Connections.Select(c => c.Status), Is.EqualTo(new[] { 503, 503, 503, 101 }));
    }

    [Test]
    public async Task Connect_ServerRejectsFilters_EndsWithTheServersText(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Flavor = ServerFlavor.Legacy,
            Faults = new FaultPlan().Next(s => s.RejectUpgrade(400, "invalid subscriber options: too many wanted DIDs")),
        }, token);

        var error = await JetstreamObservable.Connect(Options(server)).Materialize().Where(n => n.Exception is not null).Select(n => n.Exception!).FirstAsync().ToTask(token).WaitAsync(Deadline, token);

        var handshake = error as JetstreamHandshakeException;
        Assert.That(handshake, Is.Not.Null);
        Assert.That(handshake!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(handshake.Body, Is.EqualTo("invalid subscriber options: too many wanted DIDs"));
        Assert.That(server.Connections, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Connect_LiveServerAndConfiguredCursor_ReplaysInclusivelyThenTails(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Mode = EmulatorMode.Live, EventsPerSecond = 1 }, token);
        var first = server.Publish(Enumerable.Range(0, 50).Select(i => Generated(i)).ToArray());

        var options = Options(server) with { Cursor = first + 10 };
        var task = JetstreamObservable.Connect(options).Take(45).ToList().ToTask(token);
        await server.WaitForConnectionsAsync(1, Deadline, token);
        server.Publish(Enumerable.Range(50, 5).Select(i => Generated(i)).ToArray());
        var received = await task.WaitAsync(Deadline, token);

        Assert.That(received.Select(e => e.ServerCursor), Is.EqualTo(Enumerable.Range(11, 45).Select(i => (long?)i)), "the event at the cursor comes again, then the live ones");
    }

    [Test]
    public async Task Connect_SlowConsumerWithResumeFromCursor_LosesNothing(CancellationToken token)
    {
        // 5,000 events against a 200-event buffer still pause and resume a couple of dozen times; 20,000 took over a
        // hundred pause-and-reconnect rounds and timed out on a loaded machine.
        const int total = 5_000;
        using var meters = new TestMeterFactory();
        using var dropped = meters.Collect<long>("jetstream.client.events.dropped");
        using var pauses = meters.Collect<long>("jetstream.client.overflow.pauses");
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Generated, total),
        }, token);

        var seen = new List<long>(total);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = Options(server, meters) with { BufferCapacity = 200, Overflow = JetstreamOverflow.ResumeFromCursor };
        using (JetstreamObservable.Connect(options).SubscribeAsync(
            async (e, ct) =>
            {
                // A handler far slower than the socket: about 20 µs of work and a hop per event.
                var spin = System.Diagnostics.Stopwatch.StartNew();
                while (spin.Elapsed < TimeSpan.FromTicks(200))
                {
                    Thread.SpinWait(10);
                }

                await Task.Yield();
                seen.Add(e.ServerCursor!.Value);
                if (seen.Count == total)
                {
                    done.TrySetResult();
                }
            },
            e => done.TrySetException(e)))
        {
            await done.Task.WaitAsync(Deadline, token);
        }

        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, total).Select(i => (long)i)), "every event once, in order");
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.Zero);
        Assert.That(pauses.GetMeasurementSnapshot().EvaluateAsCounter(), Is.GreaterThan(0), "the buffer did fill up");
        Assert.That(server.Connections.Count, Is.EqualTo(pauses.GetMeasurementSnapshot().EvaluateAsCounter() + 1));
    }

    [TestCase(ServerFlavor.Current)]
    [TestCase(ServerFlavor.Legacy)]
    public async Task Connect_RestartWithFileCursorStore_ResumesAfterTheLastDeliveredEventWithoutRepeatingIt(ServerFlavor flavor, CancellationToken token)
    {
        var dir = Directory.CreateTempSubdirectory("jetstream-cursor-");
        try
        {
            await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
            {
                Events = JetstreamEventSource.FromGenerator(Generated, 1_000),
                Flavor = flavor,
            }, token);
            var options = Options(server) with { CursorStore = new FileCursorStore(Path.Combine(dir.FullName, "cursor.json")) };

            // First run: take 400 events, then stop (dispose saves the cursor of the last one delivered).
            var first = await JetstreamObservable.Connect(options).Take(400).ToList().ToTask(token).WaitAsync(Deadline, token);

            // Like a process that exits: wait until the last delivered event's cursor is on disk (it is saved as soon as
            // the observer's OnNext for it has returned, on the delivering thread, which may trail our continuation).
            var saved = await WaitForAsync(async () => await options.CursorStore!.LoadAsync(token) is { } c && c.Value == first[^1].Cursor, token);
            Assert.That(saved, Is.True, "the cursor of the last delivered event was saved");

            // Second run, a "restarted process": the rest, from the saved cursor.
            var second = await JetstreamObservable.Connect(options).Take(600).ToList().ToTask(token).WaitAsync(Deadline, token);

            var all = first.Concat(second).Select(e => e.TimeUs).ToList();
            Assert.That(all, Is.Unique.And.Ordered.Ascending);
            Assert.That(all, Has.Count.EqualTo(1_000));
            Assert.That(server.Connections[1].RequestedCursor, Is.EqualTo(first[^1].Cursor));
        }
        finally
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A save still finishing on a drain thread; the folder is in the temp directory.
            }
        }
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(5, token);
        }

        return false;
    }
}
