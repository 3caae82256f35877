using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests;

public sealed class JetstreamObservableTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_EventsArrive_DeliveredInOrderAtTheirTicks()
    {
        // Delivery goes through the buffer's drain, which TestScheduler runs one tick after it is scheduled.
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(1_000)));
        _h.At(200, () => _h.Transport.Socket(0).SendText(Events.Identity(2_000)));
        _h.At(300, () => _h.Transport.Socket(0).SendText(Events.Account(3_000)));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => (m.Time, m.Value.Value.TimeUs, m.Value.Value.Kind)), Is.EqualTo(new[]
        {
            (101L, 1_000L, JetstreamEventKind.Commit),
            (201L, 2_000L, JetstreamEventKind.Identity),
            (301L, 3_000L, JetstreamEventKind.Account),
        }));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(_h.Transport.Attempts[0].Uri.AbsolutePath, Is.EqualTo("/subscribe"));
    }

    [Test]
    public void Connect_ServerClosesNormally_ReconnectsWithCursorOfLastDeliveredAndSkipsReplay()
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var skipped = _h.Meters.Collect<long>("jetstream.client.events.skipped");
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(1_000, "a"));
            _h.Transport.Socket(0).SendText(Events.Like(2_000, "b"));
        });
        _h.At(200, () => _h.Transport.Socket(0).Close(WebSocketCloseStatus.NormalClosure));
        _h.Scheduler.AdvanceTo(Seconds(1) + 199);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "no reconnect before the backoff delay");

        _h.Scheduler.AdvanceTo(Seconds(1) + 200);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("2000"));

        // The server replays inclusively from the cursor: b again, then c.
        _h.At(Seconds(2), () =>
        {
            _h.Transport.Socket(1).SendText(Events.Like(2_000, "b"));
            _h.Transport.Socket(1).SendText(Events.Like(3_000, "c"));
        });
        _h.Scheduler.AdvanceTo(Seconds(3));

        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(skipped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True);
    }

    [Test]
    public void Connect_ReplayAfterReconnect_SkipsOnlyUntilFirstNewerEvent()
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(5_000, "e5")));
        _h.At(200, () => _h.Transport.Socket(0).Drop());
        _h.At(Seconds(2), () =>
        {
            var s = _h.Transport.Socket(1);
            s.SendText(Events.Like(4_000, "e4-old"));
            s.SendText(Events.Like(5_000, "e5"));
            s.SendText(Events.Like(6_000, "e6"));

            // Reordered after the replay caught up (legacy #42): a real new event, not a replay.
            s.SendText(Events.Like(4_500, "late"));
        });
        _h.Scheduler.AdvanceTo(Seconds(3));

        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "e5", "e6", "late" }));
        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("5000"));
    }

    [Test]
    public void Connect_EventsCarryServerSeq_ResumesBySeqAndDedupesBySeq()
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);

        // The newer server shares time_us across a batch, so the seq is the only exact position.
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(9_000, "s1", seq: 41));
            _h.Transport.Socket(0).SendText(Events.Like(9_000, "s2", seq: 42));
        });
        _h.At(200, () => _h.Transport.Socket(0).Close(WebSocketCloseStatus.EndpointUnavailable, "server shutting down"));
        _h.At(Seconds(2), () =>
        {
            _h.Transport.Socket(1).SendText(Events.Like(9_000, "s2", seq: 42));
            _h.Transport.Socket(1).SendText(Events.Like(9_000, "s3", seq: 43));
        });
        _h.Scheduler.AdvanceTo(Seconds(3));

        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("42"));
        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "s1", "s2", "s3" }));
        Assert.That(observer.Messages[^1].Value.Value.Cursor, Is.EqualTo(43));
    }

    [Test]
    public void Connect_ConfiguredCursor_SentOnEveryAttemptUntilAnEventAndNeverUsedToDedupe()
    {
        _h.Options = _h.Options with { Cursor = 1_234 };
        _h.Transport.ThenFail(new JetstreamConnectionException("refused", null));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(1));
        _h.At(Seconds(1) + 10, () => _h.Transport.Socket(1).SendText(Events.Like(1_234)));
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts.Select(a => a.Cursor), Is.EqualTo(new[] { "1234", "1234" }));
        Assert.That(observer.Messages, Has.Count.EqualTo(1), "the event at the configured cursor is delivered (the replay is inclusive)");
    }

    [Test]
    public void Connect_NoEventYetAndNoCursor_ReconnectsWithoutCursor()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts.Select(a => a.Uri.Query), Is.EqualTo(new[] { "", "" }));
    }

    [Test]
    public void Connect_ConnectFailsRepeatedly_BackoffScheduleIsCappedExponentialWithJitter()
    {
        _h.Options = _h.Options with
        {
            Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8), Multiplier = 2, Jitter = 0.5, Randomizer = () => 0.5 },
        };
        for (var i = 0; i < 7; i++)
        {
            _h.Transport.ThenFail(new JetstreamConnectionException("connection refused", null));
        }

        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(60));

        // Delays are base × (1 − 0.5 × 0.5): 0.75, 1.5, 3, 6, then the 8 s cap × 0.75 = 6.
        var expected = new[] { 0, 0.75, 2.25, 5.25, 11.25, 17.25, 23.25, 29.25 }.Select(Seconds);
        Assert.That(_h.Transport.Attempts.Select(a => a.Time), Is.EqualTo(expected));
    }

    [Test]
    public void Connect_EventAfterFailures_ResetsBackoffToInitialDelay()
    {
        _h.Transport
            .ThenFail(new JetstreamConnectionException("refused", null))
            .ThenFail(new JetstreamConnectionException("refused", null))
            .ThenOpen();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });

        // Attempts at 0, 1 s, 3 s (delays 1 s and 2 s).
        _h.Scheduler.AdvanceTo(Seconds(3));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(3));
        _h.At(Seconds(4), () => _h.Transport.Socket(2).SendText(Events.Like(1_000)));
        _h.At(Seconds(5), () => _h.Transport.Socket(2).Drop());
        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(_h.Transport.Attempts[3].Time, Is.EqualTo(Seconds(6)), "progress resets the delay to InitialDelay");
    }

    [Test]
    public void Connect_DropWithoutProgress_KeepsGrowingTheDelay()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(10, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(1) + 10);
        _h.At(Seconds(1) + 20, () => _h.Transport.Socket(1).Drop());
        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(_h.Transport.Attempts.Select(a => a.Time).Take(3), Is.EqualTo(new[] { 0, Seconds(1) + 10, Seconds(3) + 20 }));
    }

    [TestCase(HttpStatusCode.BadRequest)]
    [TestCase(HttpStatusCode.Forbidden)]
    [TestCase(HttpStatusCode.NotFound)]
    [TestCase(HttpStatusCode.Redirect)]
    [TestCase(HttpStatusCode.OK)]
    public void Connect_HandshakeNotRetryable_EndsWithErrorCarryingStatusAndBody(HttpStatusCode status)
    {
        _h.Transport.ThenFail(new JetstreamHandshakeException(status, "invalid subscriber options: too many wanted DIDs"));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(120));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(observer.Messages, Has.Count.EqualTo(1));
        var error = observer.Messages[0].Value.Exception as JetstreamHandshakeException;
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.StatusCode, Is.EqualTo(status));
        Assert.That(error.Body, Does.Contain("too many wanted DIDs"));
        Assert.That(error.Message, Does.Contain(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("too many wanted DIDs"));
        Assert.That(_h.LogsWithId(1004), Has.Count.EqualTo(1), "the terminal failure is logged at Error");
    }

    [TestCase(HttpStatusCode.ServiceUnavailable)]
    [TestCase(HttpStatusCode.InternalServerError)]
    [TestCase(HttpStatusCode.RequestTimeout)]
    [TestCase(HttpStatusCode.TooManyRequests)]
    public void Connect_HandshakeRetryableStatus_Retries(HttpStatusCode status)
    {
        _h.Transport.ThenFail(new JetstreamHandshakeException(status, "service not ready: bootstrap in progress"));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1) + 5, () => _h.Transport.Socket(1).SendText(Events.Like(1_000)));
        _h.Scheduler.AdvanceTo(Seconds(5));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(observer.Messages.Select(m => m.Value.Kind), Is.EqualTo(new[] { NotificationKind.OnNext }));
    }

    [TestCase(WebSocketCloseStatus.InvalidPayloadData, "bad SubscriberSourcedMessage envelope")]
    [TestCase(WebSocketCloseStatus.PolicyViolation, "invalid collection")]
    [TestCase(WebSocketCloseStatus.MessageTooBig, "")]
    [TestCase(WebSocketCloseStatus.NormalClosure, "failed to parse subscriber options: invalid collection: x")]
    public void Connect_CloseThatBlamesTheRequest_EndsWithError(WebSocketCloseStatus status, string reason)
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).Close(status, reason));
        _h.Scheduler.AdvanceTo(Seconds(120));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        var error = observer.Messages.Single().Value.Exception as JetstreamConnectionClosedException;
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.CloseStatus, Is.EqualTo(status));
        Assert.That(error.IsRetryable, Is.False);
    }

    [TestCase(WebSocketCloseStatus.NormalClosure, "")]
    [TestCase(WebSocketCloseStatus.NormalClosure, "failed to replay events")]
    [TestCase(WebSocketCloseStatus.EndpointUnavailable, "server shutting down")]
    [TestCase(WebSocketCloseStatus.InternalServerError, "")]
    public void Connect_ServerGoingAwayOrNormalClose_Retries(WebSocketCloseStatus status, string reason)
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { }, _ => Assert.Fail("must not end"));
        _h.At(100, () => _h.Transport.Socket(0).Close(status, reason));
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(_h.Transport.Socket(0).State, Is.EqualTo(WebSocketState.Closed), "the client answers the close frame");
    }

    [Test]
    public void Connect_SocketSilent_IdleTimeoutDropsAndReconnects()
    {
        using var reconnects = _h.Meters.Collect<long>("jetstream.client.reconnects");
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(Seconds(30), () => _h.Transport.Socket(0).SendText(Events.Like(1_000)));
        _h.At(Seconds(80), () => _h.Transport.Socket(0).SendText("not json"));
        _h.Scheduler.AdvanceTo(Seconds(140) - 1);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "any message, even a malformed one, proves the connection alive");

        _h.Scheduler.AdvanceTo(Seconds(140));
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True);
        Assert.That(_h.LogsWithId(1009), Has.Count.EqualTo(1));

        _h.Scheduler.AdvanceTo(Seconds(141));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("1000"));
        Assert.That(reconnects.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "failure" }));
    }

    [Test]
    public void Connect_HandshakeHangs_IdleTimeoutAbandonsIt()
    {
        _h.Transport.ThenHang();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(61));

        Assert.That(_h.Transport.Attempts.Select(a => a.Time), Is.EqualTo(new[] { 0, Seconds(61) }));
    }

    [Test]
    public void Connect_IdleTimeoutInfinite_NeverTimesOut()
    {
        _h.Options = _h.Options with { IdleTimeout = Timeout.InfiniteTimeSpan };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(86_400));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(_h.Transport.Socket(0).ReceivePending, Is.True);
    }

    [Test]
    public void Connect_MalformedFrames_SkippedCountedByReasonAndStreamGoesOn()
    {
        _h.Options = _h.Options with { MaxMessageSize = 1024 };
        using var malformed = _h.Meters.Collect<long>("jetstream.client.frames.malformed");
        using var received = _h.Meters.Collect<long>("jetstream.client.events.received");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendText("not json");
            s.SendBytes([0xC3, 0x28]);
            s.SendBytes([]);
            s.SendBytes([0x28, 0xB5, 0x2F, 0xFD], WebSocketMessageType.Binary);
            s.SendText("{\"time_us\":1,\"kind\":\"commit\"}");
            s.SendText("[1,2,3]");
            s.SendText(new string('[', 20_000) + new string(']', 20_000));
            s.SendFragments(WebSocketMessageType.Text, new byte[700], new byte[700]);
            s.SendText("{\"did\":\"did:plc:x\",\"time_us\":5,\"kind\":\"sync\"}");
            s.SendText(Events.Like(7_000));
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => m.Value.Value.TimeUs), Is.EqualTo(new[] { 7_000L }));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "malformed frames never cost the connection");
        var byReason = malformed.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags["jetstream.reason"]!)
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.That(byReason, Is.EqualTo(new Dictionary<string, long>
        {
            ["not_json"] = 1,
            ["invalid_utf8"] = 1,
            ["empty"] = 1,
            ["zstd_corrupt"] = 1,
            ["missing_field"] = 1,
            ["not_an_object"] = 1,
            ["too_large"] = 2,
        }).Using<Dictionary<string, long>>((a, b) => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value)));
        Assert.That(received.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(_h.LogsWithId(1005), Has.Count.EqualTo(8));
        Assert.That(_h.LogsWithId(1005).All(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Debug), Is.True);
    }

    [Test]
    public void Connect_MessageInManySmallFragments_IsAssembled()
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        var bytes = System.Text.Encoding.UTF8.GetBytes(Events.Like(42));
        _h.At(100, () => _h.Transport.Socket(0).SendFragments(WebSocketMessageType.Text, bytes.Chunk(7).Append([]).ToArray()));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Single().Value.Value.TimeUs, Is.EqualTo(42));
    }

    [Test]
    public void Connect_MessageLargerThanInitialBuffer_IsAssembledUpToTheLimit()
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        var big = Events.Like(42).Replace("\"createdAt\"", "\"pad\":\"" + new string('x', 200_000) + "\",\"createdAt\"", StringComparison.Ordinal);
        _h.At(100, () => _h.Transport.Socket(0).SendText(big));
        _h.Scheduler.AdvanceTo(1_000);

        var commit = ((CommitEvent)observer.Messages.Single().Value.Value).Commit;
        Assert.That(commit.Record!.Value.GetProperty("pad").GetString(), Has.Length.EqualTo(200_000));
    }

    [Test]
    public void Connect_BufferFull_DropsIncomingCountsAndWarnsOncePerEpisode()
    {
        _h.Options = _h.Options with { BufferCapacity = 4 };
        using var dropped = _h.Meters.Collect<long>("jetstream.client.events.dropped");
        using var depth = _h.Meters.Collect<long>("jetstream.client.buffer.depth");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);

        // Ten events read in one go, before the subscriber's drain runs: four fit, six are dropped.
        _h.At(100, () =>
        {
            for (var i = 1; i <= 10; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(i));
            }
        });
        _h.At(200, () => _h.Transport.Socket(0).SendText(Events.Like(11)));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => m.Value.Value.TimeUs), Is.EqualTo(new[] { 1L, 2, 3, 4, 11 }), "the queued events are kept, the incoming ones dropped");
        Assert.That(observer.Messages.Select(m => m.Time).Take(4), Is.All.EqualTo(101));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(6));
        Assert.That(depth.GetMeasurementSnapshot().EvaluateAsCounter(), Is.Zero, "every queued event left the buffer");
        Assert.That(_h.LogsWithId(1007), Has.Count.EqualTo(1), "one warning per episode");
        Assert.That(_h.LogsWithId(1007)[0].Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
        Assert.That(_h.LogsWithId(1008).Single().Message, Does.Contain("6 events were dropped"));
    }

    [Test]
    public void Connect_LongFilterLists_UseRequireHelloAndSendOneOptionsUpdate()
    {
        var dids = Enumerable.Range(0, 500).Select(i => $"did:plc:{i:D24}").ToArray();
        _h.Options = _h.Options with { WantedDids = dids, WantedCollections = ["app.bsky.feed.post"] };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        var attempt = _h.Transport.Attempts.Single();
        Assert.That(attempt.Uri.Query, Is.EqualTo("?requireHello=true"));
        var sent = _h.Transport.Socket(0).SentText.Single();
        using var doc = System.Text.Json.JsonDocument.Parse(sent);
        Assert.That(doc.RootElement.GetProperty("type").GetString(), Is.EqualTo("options_update"));
        Assert.That(doc.RootElement.GetProperty("payload").GetProperty("wantedDids").GetArrayLength(), Is.EqualTo(500));
        Assert.That(doc.RootElement.GetProperty("payload").GetProperty("wantedCollections")[0].GetString(), Is.EqualTo("app.bsky.feed.post"));
    }

    [Test]
    public void Connect_ShortFilterLists_GoInTheQuery()
    {
        _h.Options = _h.Options with { WantedDids = [Events.Did], WantedCollections = ["app.bsky.feed.post", "app.bsky.graph.*"] };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts.Single().Uri.Query, Is.EqualTo("?wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.graph.%2A&wantedDids=did%3Aplc%3Amcc5yghbk7tixqryac2yxku7"));
        Assert.That(_h.Transport.Socket(0).SentText, Is.Empty);
    }

    [Test]
    public void Connect_Disposed_ClosesSocketAndStopsRetrying()
    {
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(1)));
        _h.Scheduler.AdvanceTo(200);
        sub.Dispose();
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True);

        _h.Scheduler.AdvanceTo(Seconds(600));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_DisposedDuringBackoff_NeverReconnects()
    {
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(0.5));
        sub.Dispose();
        sub.Dispose();
        _h.Scheduler.AdvanceTo(Seconds(600));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_EachSubscription_OwnsItsConnection()
    {
        var stream = JetstreamObservable.Connect(_h.Options);
        using var a = stream.Subscribe(_ => { });
        using var b = stream.Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
    }

    [Test]
    public void Connect_Telemetry_CountsReceivedByKindBytesAndLag()
    {
        using var received = _h.Meters.Collect<long>("jetstream.client.events.received");
        using var bytes = _h.Meters.Collect<long>("jetstream.client.bytes.received");
        using var lag = _h.Meters.Collect<double>("jetstream.client.lag");
        var start = new DateTimeOffset(2026, 5, 25, 14, 23, 30, TimeSpan.Zero);
        _h.Scheduler.AdvanceTo(start.UtcTicks);
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });

        // Events stamped at the start, read 5 s later: 5 s of lag by the scheduler's clock.
        var timeUs = (start - DateTimeOffset.UnixEpoch).Ticks / 10;
        var like = Events.Like(timeUs);
        var identity = Events.Identity(timeUs);
        _h.At(start.UtcTicks + Seconds(5), () =>
        {
            _h.Transport.Socket(0).SendText(like);
            _h.Transport.Socket(0).SendText(identity);
        });
        _h.Scheduler.AdvanceTo(start.UtcTicks + Seconds(6));

        var kinds = received.GetMeasurementSnapshot().Select(m => (string)m.Tags["jetstream.event.kind"]!);
        Assert.That(kinds, Is.EqualTo(new[] { "commit", "identity" }));
        Assert.That(bytes.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(like.Length + identity.Length));
        Assert.That(lag.GetMeasurementSnapshot().Select(m => m.Value), Is.All.EqualTo(5.0).Within(1e-9));
    }

    [Test]
    public void Connect_InlineScheduler_RejectedBeforeSubscribing()
    {
        var options = _h.Options with { Scheduler = System.Reactive.Concurrency.Scheduler.Immediate };

        Assert.That(() => JetstreamObservable.Connect(options), Throws.TypeOf<JetstreamOptionsException>().With.Message.Contains("JetstreamOptions.Scheduler is ImmediateScheduler"));
        Assert.That(_h.Transport.Attempts, Is.Empty);
    }

    [Test]
    public void SubscribeAsync_OnStreamWithItsOwnCapacity_WarnsWithThatCapacityAndLogsHandlerFailuresToTheStreamLogger()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).SubscribeAsync(
            (e, _) => e.TimeUs == 1 ? throw new InvalidOperationException("handler bug") : Task.CompletedTask,
            _ => { },
            options: new AsyncHandlerOptions { BufferCapacity = 3, OnHandlerError = HandlerErrorBehavior.Continue });
        _h.At(100, () =>
        {
            for (var i = 1; i <= 5; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(i));
            }
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.LogsWithId(1007).Single().Message, Does.Contain("its 3 events"));
        Assert.That(_h.LogsWithId(1012).Single().Exception!.Message, Is.EqualTo("handler bug"));
        Assert.That(sub.Handled, Is.EqualTo(3));
    }
}
