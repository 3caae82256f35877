using System.Net;
using System.Net.WebSockets;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Protocol.V2;

/// <summary>Protocol v2 over the scripted socket, in virtual time: the request, every envelope, resume and dedupe, error frames.</summary>
public sealed class V2ProtocolTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2 };
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_V2_UsesSubscribeEventsOffersXrpcJsonAndSendsV2Parameters()
    {
        _h.Options = _h.Options with
        {
            Kinds = [JetstreamEventKind.Commit, JetstreamEventKind.Account],
            WantedCollections = ["app.bsky.feed.post", "app.bsky.graph.*"],
            WantedDids = [Events.Did],
            ServerMaxMessageSize = 100_000,
            Cursor = 77,
        };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        var attempt = _h.Transport.Attempts.Single();
        Assert.That(attempt.Uri.AbsolutePath, Is.EqualTo("/xrpc/network.bsky.jetstream.subscribeEvents"));
        Assert.That(attempt.SubProtocols, Is.EqualTo(new[] { "xrpc.v1.json" }));
        Assert.That(attempt.Uri.Query, Is.EqualTo(
            "?kinds=commit&kinds=account&collections=app.bsky.feed.post&collections=app.bsky.graph.%2A&dids=did%3Aplc%3Amcc5yghbk7tixqryac2yxku7&maxMessageSizeBytes=100000&cursor=77"));
        Assert.That(_h.Transport.Socket(0).SentText, Is.Empty, "v2 servers close on any client data frame");
        Assert.That(_h.Dictionaries.Requests, Is.Empty, "no dictionary without compression");
    }

    [Test]
    public void Connect_V1_OffersNoSubprotocol()
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V1 };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts.Single().SubProtocols, Is.Empty);
    }

    [Test]
    public void Connect_V2EveryEnvelopeType_EventsDeliveredNoticesCountedUnknownsSkipped()
    {
        using var received = _h.Meters.Collect<long>("jetstream.client.events.received");
        using var skipped = _h.Meters.Collect<long>("jetstream.client.events.skipped");
        using var infos = _h.Meters.Collect<long>("jetstream.client.infos.received");
        using var malformed = _h.Meters.Collect<long>("jetstream.client.frames.malformed");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendText(V2Frames.Info());
            s.SendText(V2Frames.Commit(1));
            s.SendText(V2Frames.Identity(2));
            s.SendText(V2Frames.Account(3));
            s.SendText(V2Frames.Sync(4));
            s.SendText(V2Frames.Message("{\"$type\":\"" + V2Frames.Prefix + "#labels\",\"seq\":5}"));
            s.SendText("{\"$type\":\"heartbeat\"}");
            s.SendText(V2Frames.Message("{\"seq\":6}"));
            s.SendText(V2Frames.Info("SomethingNew", "a notice this client has not heard of"));
            s.SendText(V2Frames.Delete(7));
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => (m.Value.Value.Kind, m.Value.Value.Cursor)), Is.EqualTo(new[]
        {
            (JetstreamEventKind.Commit, 1L), (JetstreamEventKind.Identity, 2L), (JetstreamEventKind.Account, 3L), (JetstreamEventKind.Sync, 4L), (JetstreamEventKind.Commit, 7L),
        }));
        Assert.That(observer.Messages.Select(m => m.Value.Value.TimeUs), Has.All.EqualTo(V2Frames.BaseTimeUs));
        Assert.That(received.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.event.kind"]), Is.EqualTo(new[] { "commit", "identity", "account", "sync", "commit" }));
        Assert.That(skipped.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "unknown_type", "unknown_type" }));
        Assert.That(malformed.GetMeasurementSnapshot().Single().Tags["jetstream.reason"], Is.EqualTo("missing_field"));
        Assert.That(infos.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.info.name"]), Is.EqualTo(new[] { "OutdatedCursor", "other" }), "unknown names never become tag values");
        var notices = _h.LogsWithId(1016);
        Assert.That(notices.Select(r => r.Level), Is.All.EqualTo(LogLevel.Warning));
        Assert.That(notices[0].Message, Does.Contain("OutdatedCursor").And.Contain("starting at seq 5"));
        Assert.That(_h.LogsWithId(1017).Select(r => r.Level), Is.EqualTo(new[] { LogLevel.Debug, LogLevel.Debug }));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_V2InfoAfterLastEvent_DoesNotMoveTheCursor()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(V2Frames.Commit(10));
            _h.Transport.Socket(0).SendText(V2Frames.Info());
        });
        _h.At(200, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("10"));
    }

    [TestCase("ConsumerTooSlow", "reading below the floor rate N events behind the tip; reconnect with cursor=M")]
    [TestCase("InternalError", "stream read failed; reconnect")]
    [TestCase("SomeFutureError", "")]
    public void Connect_V2ErrorFrame_ReconnectsFromTheCursorAfterBackoff(string error, string message)
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(V2Frames.Commit(41));
            _h.Transport.Socket(0).SendText(V2Frames.Error(error, message));
            _h.Transport.Socket(0).SendText(V2Frames.Commit(42));
        });
        _h.Scheduler.AdvanceTo(Seconds(1) + 99);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "the backoff applies");
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True, "the connection ends at the error frame");

        _h.Scheduler.AdvanceTo(Seconds(2));
        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("41"));
        Assert.That(observer.Messages.Select(m => m.Value.Value.Cursor), Is.EqualTo(new[] { 41L }), "nothing after the error frame is read");
        var lost = _h.LogsWithId(1002).Single();
        Assert.That(lost.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(lost.Message, Does.Contain("error " + error));
    }

    [Test]
    public void Connect_V2Resume_DropsEverySeqAtOrBelowTheLastDeliveredForTheWholeConnection()
    {
        using var skipped = _h.Meters.Collect<long>("jetstream.client.events.skipped");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(V2Frames.Commit(41, "a"));
            _h.Transport.Socket(0).SendText(V2Frames.Commit(42, "b"));
        });
        _h.At(200, () => _h.Transport.Socket(0).Close(WebSocketCloseStatus.EndpointUnavailable, "server shutting down"));
        _h.At(Seconds(2), () =>
        {
            var s = _h.Transport.Socket(1);
            s.SendText(V2Frames.Commit(42, "b"));
            s.SendText(V2Frames.Commit(43, "c"));
            s.SendText(V2Frames.Commit(40, "stale"));
            s.SendText(V2Frames.Commit(44, "d"));
        });
        _h.Scheduler.AdvanceTo(Seconds(3));

        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("42"));
        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "a", "b", "c", "d" }));
        Assert.That(skipped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
    }

    [Test]
    public void Connect_V2TimestampCursor_SentAsIsAndNeverSeedsTheSeqFloor()
    {
        // Go client issue #349: a µs timestamp used as a seq floor drops every event.
        const long TimestampCursor = 1_779_719_009_132_431;
        _h.Options = _h.Options with { Cursor = TimestampCursor };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(V2Frames.Info("OutdatedCursor", "requested timestamp cursor below retention floor; starting at seq 5"));
            _h.Transport.Socket(0).SendText(V2Frames.Commit(5));
            _h.Transport.Socket(0).SendText(V2Frames.Commit(6));
        });
        _h.At(200, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts.Select(a => a.Cursor), Is.EqualTo(new[] { TimestampCursor.ToString(System.Globalization.CultureInfo.InvariantCulture), "6" }));
        Assert.That(observer.Messages.Select(m => m.Value.Value.Cursor), Is.EqualTo(new[] { 5L, 6 }));
    }

    [Test]
    public void Connect_V2NoEventYet_ReconnectsWithoutCursor()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendText(V2Frames.Info()));
        _h.At(200, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts.Select(a => a.Cursor), Is.EqualTo(new string?[] { null, null }));
    }

    // ---------------------------------------------------------------- handshake errors

    [Test]
    public void Connect_V2InvalidRequest_IsTerminalAndCarriesTheXrpcError()
    {
        _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, V2Frames.XrpcError("InvalidRequest", "unknown kind: commits")));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(120));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        var error = (JetstreamHandshakeException)observer.Messages.Single().Value.Exception!;
        Assert.That(error.Error, Is.EqualTo("InvalidRequest"));
        Assert.That(error.ErrorMessage, Is.EqualTo("unknown kind: commits"));
        Assert.That(error.IsRetryable, Is.False);
    }

    [Test]
    public void Connect_V2CursorTooOldByDefault_IsTerminal()
    {
        _h.Options = _h.Options with { Cursor = 3 };
        _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, V2Frames.XrpcError("CursorTooOld", "cursor 3 below lookback floor 900; re-backfill from your last seq")));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(120));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(((JetstreamHandshakeException)observer.Messages.Single().Value.Exception!).Error, Is.EqualTo("CursorTooOld"));
        Assert.That(_h.LogsWithId(1018), Is.Empty);
    }

    [Test]
    public void Connect_V2CursorTooOldWithRestartFromLive_ReconnectsAtOnceWithoutCursorWarnsAndCounts()
    {
        _h.Options = _h.Options with { Cursor = 3, OnCursorTooOld = JetstreamCursorTooOldBehavior.RestartFromLive };
        using var restarts = _h.Meters.Collect<long>("jetstream.client.cursor.restarts");
        using var reconnects = _h.Meters.Collect<long>("jetstream.client.reconnects");
        _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, V2Frames.XrpcError("CursorTooOld", "cursor 3 below lookback floor 900")));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(1);

        // At once (TestScheduler runs a zero delay on the next tick), from the live tail.
        Assert.That(_h.Transport.Attempts.Select(a => (a.Time, a.Cursor)), Is.EqualTo(new[] { (0L, (string?)"3"), (1L, null) }));
        Assert.That(restarts.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(reconnects.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "cursor_too_old" }));
        var warning = _h.LogsWithId(1018).Single();
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain("cursor 3").And.Contain("below lookback floor 900"));

        // Later reconnects resume from what was delivered, and never fall back to the abandoned configured cursor.
        _h.At(100, () => _h.Transport.Socket(1).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));
        Assert.That(_h.Transport.Attempts[2].Cursor, Is.Null);
        Assert.That(observer.Messages, Is.Empty);
    }

    [Test]
    public void Connect_V2CursorTooOldAfterDelivery_RestartsFromLiveInsteadOfTheLastSeq()
    {
        _h.Options = _h.Options with { OnCursorTooOld = JetstreamCursorTooOldBehavior.RestartFromLive };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendText(V2Frames.Commit(50)));
        _h.At(200, () =>
        {
            _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, V2Frames.XrpcError("CursorTooOld", "cursor 50 below lookback floor 60")));
            _h.Transport.Socket(0).Drop();
        });
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts.Select(a => a.Cursor), Is.EqualTo(new string?[] { null, "50", null }));
    }

    [Test]
    public void Connect_V2ServiceUnavailable_RetriesAfterBackoff()
    {
        _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.ServiceUnavailable, V2Frames.XrpcError("ServiceUnavailable", "bootstrap in progress")));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1) + 5, () => _h.Transport.Socket(1).SendText(V2Frames.Commit(1)));
        _h.Scheduler.AdvanceTo(Seconds(5));

        Assert.That(_h.Transport.Attempts.Select(a => a.Time), Is.EqualTo(new[] { 0, Seconds(1) }));
        Assert.That(observer.Messages.Single().Value.Value.Cursor, Is.EqualTo(1));
    }

    [Test]
    public void Connect_V1HandshakeWithXrpcLookalikeBody_GetsNoV2Recovery()
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V1, OnCursorTooOld = JetstreamCursorTooOldBehavior.Fail };
        _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, V2Frames.XrpcError("UnknownZstdDictionary", "x")));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(observer.Messages.Single().Value.Kind, Is.EqualTo(System.Reactive.NotificationKind.OnError));
    }
}
