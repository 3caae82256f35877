using System.Globalization;
using System.Net;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Reconnect;

/// <summary>
/// <see cref="JetstreamOptions.Endpoints"/> in virtual time: after failed attempts in a row the stream moves to the next
/// host, resumes a rewound timestamp (never another host's cursor) and drops what it already delivered by identity.
/// </summary>
public sealed class FailoverTests
{
    private const long T = Events.RealTimeUs;
    private static readonly Uri A = new("ws://127.0.0.1:6001");
    private static readonly Uri B = new("ws://127.0.0.1:6002");

    private Harness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _h.Options = _h.Options with
        {
            Endpoint = JetstreamOptions.DefaultEndpoint,
            Endpoints = [A, B],
            FailoverAfterAttempts = 2,
            FailoverRewind = TimeSpan.FromSeconds(10),
        };
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    private static string Cursor(long value) => value.ToString(CultureInfo.InvariantCulture);

    private List<string> Hosts() => _h.Transport.Attempts.Select(a => a.Uri.GetLeftPart(UriPartial.Authority)).ToList();

    private static JetstreamConnectionException Refused() => new("connection refused", null);

    [Test]
    public void Failover_V1AfterFailuresInARow_MovesOnResumesRewoundAndDropsWhatWasDelivered()
    {
        using var failovers = _h.Meters.Collect<long>("jetstream.client.failovers");
        using var skipped = _h.Meters.Collect<long>("jetstream.client.events.skipped");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(T - 2_000_000, "a"));
            _h.Transport.Socket(0).SendText(Events.Like(T, "b"));
        });
        _h.At(200, () =>
        {
            _h.Transport.ThenFail(Refused()).ThenFail(Refused());
            _h.Transport.Socket(0).Drop();
        });
        _h.Scheduler.AdvanceTo(Seconds(10));

        // A (delivered, dropped), A, A (two failures in a row), then B.
        Assert.That(Hosts(), Is.EqualTo(new[] { "ws://127.0.0.1:6001", "ws://127.0.0.1:6001", "ws://127.0.0.1:6001", "ws://127.0.0.1:6002" }));
        Assert.That(_h.Transport.Attempts.Select(a => a.Cursor), Is.EqualTo(new[] { null, Cursor(T), Cursor(T), Cursor(T - 10_000_000) }));
        Assert.That(failovers.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        var warning = _h.LogsWithId(1026).Single();
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain("2 attempts in a row failed on ws://127.0.0.1:6001/subscribe").And.Contain("moving to ws://127.0.0.1:6002/subscribe"));

        // B stamps the same events with its own clock: known ones are dropped by identity, the rest delivered.
        var socket = _h.Transport.Attempts[3].Socket!;
        _h.At(Seconds(11), () =>
        {
            socket.SendText(Events.Like(T - 8_000_000, "older-not-seen"));
            socket.SendText(Events.Like(T - 1_900_000, "a"));
            socket.SendText(Events.Like(T + 100, "b"));
            socket.SendText(Events.Like(T + 200, "c"));
        });
        _h.Scheduler.AdvanceTo(Seconds(12));

        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "a", "b", "older-not-seen", "c" }));
        Assert.That(skipped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
    }

    [Test]
    public void Failover_AfterTheLastHost_WrapsToTheFirst()
    {
        _h.Options = _h.Options with { FailoverAfterAttempts = 1 };
        for (var i = 0; i < 4; i++)
        {
            _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.ServiceUnavailable, "service not ready"));
        }

        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(Hosts().Take(5), Is.EqualTo(new[] { "ws://127.0.0.1:6001", "ws://127.0.0.1:6002", "ws://127.0.0.1:6001", "ws://127.0.0.1:6002", "ws://127.0.0.1:6001" }));
    }

    [Test]
    public void Failover_AnAttemptThatDelivers_ResetsTheCount()
    {
        var socket1 = (ScriptedWebSocket?)null;
        _h.Transport.ThenFail(Refused()).ThenOpen().ThenFail(Refused());
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(1) + 1);
        socket1 = _h.Transport.Attempts[1].Socket!;
        _h.At(Seconds(2), () =>
        {
            socket1.SendText(Events.Like(T));
            socket1.Drop();
        });
        _h.Scheduler.AdvanceTo(Seconds(4));

        Assert.That(Hosts().Take(4), Is.All.EqualTo("ws://127.0.0.1:6001"), "fail, deliver, fail, (open): never two failures in a row");
        Assert.That(_h.LogsWithId(1026), Is.Empty);
    }

    [Test]
    public void Failover_V2_ResumesByRewoundTimestampAndNeverUsesTheOldHostsSeqAsAFloor()
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, FailoverAfterAttempts = 1 };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).SendText(V2Frames.Commit(500, "a")));
        _h.At(200, () =>
        {
            // A connection that delivered is not a failure; the reconnect that follows is.
            _h.Transport.ThenFail(Refused());
            _h.Transport.Socket(0).Drop();
        });
        _h.Scheduler.AdvanceTo(Seconds(5));

        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("500"), "the same host first: its own seq");
        var onB = _h.Transport.Attempts[2];
        Assert.That(onB.Uri.AbsoluteUri, Does.StartWith("ws://127.0.0.1:6002/xrpc/network.bsky.jetstream.subscribeEvents"));
        var rewound = V2Frames.BaseTimeUs - 10_000_000;
        Assert.That(onB.Cursor, Is.EqualTo(Cursor(rewound)), "a timestamp: seqs are per instance");
        Assert.That(rewound, Is.GreaterThanOrEqualTo(1_000_000_000_000_000), "which v2 reads as a time");

        // B's seqs are lower than A's: none may be dropped for that, only what was delivered, by identity.
        _h.At(Seconds(6), () =>
        {
            onB.Socket!.SendText(V2Frames.Info("OutdatedCursor", "starting at seq 19"));
            onB.Socket.SendText(V2Frames.Commit(20, "a"));
            onB.Socket.SendText(V2Frames.Commit(21, "b"));
        });
        _h.At(Seconds(7), () => onB.Socket!.Drop());
        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(observer.Messages.Select(m => (((CommitEvent)m.Value.Value).Commit.RKey, m.Value.Value.Cursor)), Is.EqualTo(new[] { ("a", 500L), ("b", 21L) }));

        // B delivered, so its drop is not a failure: the reconnect stays on B and resumes from B's own seq.
        Assert.That(_h.Transport.Attempts[3].Uri.Authority, Is.EqualTo("127.0.0.1:6002"));
        Assert.That(_h.Transport.Attempts[3].Cursor, Is.EqualTo("21"));
    }

    [Test]
    public void Failover_BeforeAnyEvent_TheConfiguredCursorGoesToTheNextHost()
    {
        _h.Options = _h.Options with { Cursor = T, FailoverAfterAttempts = 1 };
        _h.Transport.ThenFail(Refused());
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts.Select(a => (a.Uri.Authority, a.Cursor)), Is.EqualTo(new[] { ("127.0.0.1:6001", Cursor(T)), ("127.0.0.1:6002", Cursor(T)) }));
    }

    [Test]
    public void Failover_WindowIsBounded_OlderDeliveredEventsComeAgain()
    {
        _h.Options = _h.Options with { FailoverAfterAttempts = 1, FailoverDedupeCapacity = 2 };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(T, "a"));
            _h.Transport.Socket(0).SendText(Events.Like(T + 1, "b"));
            _h.Transport.Socket(0).SendText(Events.Like(T + 2, "c"));
            _h.Transport.ThenFail(Refused());
            _h.Transport.Socket(0).Drop();
        });
        _h.At(Seconds(5), () =>
        {
            _h.Transport.Socket(2).SendText(Events.Like(T + 10, "a"));
            _h.Transport.Socket(2).SendText(Events.Like(T + 12, "c"));
        });
        _h.Scheduler.AdvanceTo(Seconds(6));

        Assert.That(_h.Transport.Attempts[2].Uri.Authority, Is.EqualTo("127.0.0.1:6002"));
        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "a", "b", "c", "a" }), "only the last two (b, c) are remembered: a comes again, c does not");
    }

    [Test]
    public void Failover_RejectedRequest_EndsTheStreamWithoutMoving()
    {
        _h.Options = _h.Options with { FailoverAfterAttempts = 1 };
        _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, "invalid subscriber options"));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(Hosts(), Is.EqualTo(new[] { "ws://127.0.0.1:6001" }));
        Assert.That(observer.Messages.Single().Value.Exception, Is.TypeOf<JetstreamHandshakeException>());
    }

    [Test]
    public void Failover_OneEndpoint_NeverMoves()
    {
        _h.Options = _h.Options with { Endpoints = [], Endpoint = A, FailoverAfterAttempts = 1 };
        for (var i = 0; i < 5; i++)
        {
            _h.Transport.ThenFail(Refused());
        }

        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(Hosts(), Has.Count.GreaterThan(5).And.All.EqualTo("ws://127.0.0.1:6001"));
    }

    [Test]
    public void Failover_AfterAFilterUpdate_TheNextHostGetsTheLatestFilter()
    {
        using var filters = new System.Reactive.Subjects.Subject<JetstreamFilter>();
        _h.Options = _h.Options with { FailoverAfterAttempts = 1, FilterUpdates = filters };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => filters.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"] }));
        _h.At(200, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts[1].Uri.AbsoluteUri, Is.EqualTo("ws://127.0.0.1:6002/subscribe?wantedCollections=app.bsky.feed.post"), "no event came, so the drop was a failure");
    }

    [Test]
    public void Failover_FilterChangeReconnect_IsNotAFailure()
    {
        using var filters = new System.Reactive.Subjects.Subject<JetstreamFilter>();
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, FailoverAfterAttempts = 1, FilterUpdates = filters };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => filters.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"] }));
        _h.At(200, () => filters.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.like"] }));

        // The second change comes within a second of the first reconnect, so it reconnects a second later (coalesced).
        _h.Scheduler.AdvanceTo(TimeSpan.FromSeconds(5).Ticks);

        Assert.That(Hosts(), Is.EqualTo(new[] { "ws://127.0.0.1:6001", "ws://127.0.0.1:6001", "ws://127.0.0.1:6001" }));
    }
}
