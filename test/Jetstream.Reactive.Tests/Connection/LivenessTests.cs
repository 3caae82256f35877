using System.Net.WebSockets;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Connection;

/// <summary>
/// Liveness and cursor integrity in virtual time: which timer ends which connection (a quiet filtered stream and a
/// silent replay scan are not failures), and a cursor value that cannot be right never becomes the resume cursor, the
/// replay floor or the saved cursor.
/// </summary>
public sealed class LivenessTests
{
    /// <summary>A realistic wall clock (2026-05-25T14:23:29Z), so that the clock-relative cursor check applies.</summary>
    private static readonly long Start = DateTimeOffset.UnixEpoch.AddTicks(Events.RealTimeUs * 10).UtcTicks;

    private const long T = Events.RealTimeUs;
    private const string OtherDid = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";

    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_FilteredStreamSilentForTenIdleTimeouts_KeepsOneConnectionAndLosesNothing()
    {
        _h.Options = _h.Options with { WantedDids = [Events.Did] };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1), () => _h.Transport.Socket(0).SendText(Events.Like(1_000, "a")));
        _h.At(Seconds(601), () => _h.Transport.Socket(0).SendText(Events.Like(2_000, "b")));
        _h.Scheduler.AdvanceTo(Seconds(602));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "10 × the default idle timeout of silence on a filtered stream is not a failure");
        Assert.That(_h.LogsWithId(1009), Is.Empty);
        Assert.That(observer.Messages.Select(m => m.Value.Value.TimeUs), Is.EqualTo(new[] { 1_000L, 2_000L }));
    }

    [Test]
    public void Connect_KindsFilterSilent_KeepsOneConnection()
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, Kinds = [JetstreamEventKind.Account] };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(3_600));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_FilteredStreamWithExplicitIdleTimeout_DropsOnSilence()
    {
        _h.Options = _h.Options with { WantedDids = [Events.Did], IdleTimeout = TimeSpan.FromSeconds(30) };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(30));

        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True, "an explicit IdleTimeout applies to a filtered stream too");
        Assert.That(_h.LogsWithId(1009), Has.Count.EqualTo(1));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Connect_FilteredStreamWithKeepAliveOff_AutomaticIdleTimeoutStillApplies(bool intervalOff)
    {
        // Without pings nothing else would notice a dead peer on a filtered stream: automatic keeps the 60 s rule.
        _h.Options = intervalOff
            ? _h.Options with { WantedDids = [Events.Did], KeepAliveInterval = Timeout.InfiniteTimeSpan }
            : _h.Options with { WantedDids = [Events.Did], KeepAliveTimeout = Timeout.InfiniteTimeSpan };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True);
        Assert.That(_h.LogsWithId(1009), Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_FilteredStreamHandshakeHangs_HandshakeTimeoutStillApplies()
    {
        _h.Options = _h.Options with { WantedDids = [Events.Did] };
        _h.Transport.ThenHang();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(61));

        Assert.That(_h.Transport.Attempts.Select(a => a.Time), Is.EqualTo(new[] { 0, Seconds(61) }), "the handshake cannot be legitimately silent");
    }

    [Test]
    public void Connect_FilterUpdateToUnfiltered_NextConnectionGetsTheSilenceTimeout()
    {
        var filters = new System.Reactive.Subjects.Subject<JetstreamFilter>();
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, WantedDids = [Events.Did], FilterUpdates = filters };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(Seconds(100), () => filters.OnNext(new JetstreamFilter()));
        _h.Scheduler.AdvanceTo(Seconds(100) + 1);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2), "v2 reconnects for the new filter");

        _h.Scheduler.AdvanceTo(Seconds(161));
        Assert.That(_h.Transport.Socket(1).IsDisposed, Is.True, "an unfiltered stream that goes silent is dropped after the default 60 s");
    }

    [Test]
    public void Connect_KeepAliveOptions_PassedToTheTransport()
    {
        _h.Options = _h.Options with { KeepAliveInterval = TimeSpan.FromSeconds(3), KeepAliveTimeout = TimeSpan.FromSeconds(2) };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        var request = _h.Transport.Attempts.Single().Request!;
        Assert.That(request.KeepAliveInterval, Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(request.KeepAliveTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [TestCase(JetstreamProtocol.V1)]
    [TestCase(JetstreamProtocol.V2)]
    public void Connect_ResumedSparseStreamBehindLongSilentScan_ReachesLiveOnOneConnection(JetstreamProtocol protocol)
    {
        var v2 = protocol == JetstreamProtocol.V2;
        _h.Options = _h.Options with { Protocol = protocol, WantedDids = [Events.Did], Cursor = v2 ? 5 : T };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);

        // The server scans its history for 2 hours before the first event that matches, then goes live.
        _h.At(Seconds(7_200), () => _h.Transport.Socket(0).SendText(v2 ? V2Frames.Commit(900_000) : Events.Like(T + 7_200_000_000)));
        _h.At(Seconds(7_201), () => _h.Transport.Socket(0).SendText(v2 ? V2Frames.Commit(900_001, "b") : Events.Like(T + 7_201_000_000, "b")));
        _h.Scheduler.AdvanceTo(Seconds(7_202));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "the scan is never cut short");
        Assert.That(observer.Messages.Count(m => m.Value.Kind == System.Reactive.NotificationKind.OnNext), Is.EqualTo(2));
    }

    [Test]
    public void Connect_FarFutureTimeUsThenDrop_DeliveryContinuesAndCursorStaysSane()
    {
        _h.Scheduler.AdvanceTo(Start);
        var store = new MemoryCursorStore(() => _h.Scheduler.Clock);
        _h.Options = _h.Options with { CursorStore = store };
        using var implausible = _h.Meters.Collect<long>("jetstream.client.cursor.implausible");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Start + Seconds(1), () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendText(Events.Like(T + 1, "a"));
            s.SendText(Events.Like(long.MaxValue, "hostile"));
            s.SendText(Events.Like(T + 2, "b"));
            s.SendText(Events.Like(T + 86_400_000_000, "tomorrow")); // a day ahead of the clock
            s.Drop();
        });
        _h.At(Start + Seconds(10), () =>
        {
            // The server replays inclusively from the cursor sent, then goes on.
            var s = _h.Transport.Socket(1);
            s.SendText(Events.Like(T + 2, "b"));
            s.SendText(Events.Like(T + 3, "c"));
            s.SendText(Events.Like(T + 4, "d"));
        });
        _h.Scheduler.AdvanceTo(Start + Seconds(20));

        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo((T + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), "resumed from the last plausible event");
        var delivered = observer.Messages.Where(m => m.Value.Kind == System.Reactive.NotificationKind.OnNext).Select(m => ((CommitEvent)m.Value.Value).Commit.RKey).ToList();
        Assert.That(delivered, Is.EqualTo(new[] { "a", "hostile", "b", "tomorrow", "c", "d" }), "nothing skipped, nothing twice");
        Assert.That(store.Stored!.Value, Is.EqualTo(T + 4), "the saved cursor is a plausible one");
        Assert.That(store.Saves.Select(x => x.Cursor.TimeUs), Has.All.LessThanOrEqualTo(T + 4));
        Assert.That(implausible.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
        Assert.That(_h.LogsWithId(1061), Has.Count.EqualTo(2), "one Warning per run of implausible cursors");
    }

    [TestCase(-5L)]
    [TestCase(0L)]
    public void Connect_NonPositiveTimeUs_NeverBecomesTheCursor(long bad)
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1), () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendText(Events.Like(1_000, "a"));
            s.SendText(Events.Like(bad, "bad"));
            s.Drop();
        });
        _h.Scheduler.AdvanceTo(Seconds(5));

        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("1000"), "a negative cursor would be answered with 400 and end the stream");
        Assert.That(observer.Messages.Count(m => m.Value.Kind == System.Reactive.NotificationKind.OnNext), Is.EqualTo(2));
    }

    [Test]
    public void Connect_V2SeqResetAfterReconnect_ReportedRebasedAndDeliveryContinues()
    {
        var gaps = new List<JetstreamGap>();
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, Gaps = System.Reactive.Observer.Create<JetstreamGap>(gaps.Add) };
        using var resets = _h.Meters.Collect<long>("jetstream.client.sequence.resets");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1), () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendText(V2Frames.Commit(5000, "a"));
            s.SendText(V2Frames.Commit(5001, "b"));
            s.Drop();
        });

        // The instance behind the name was replaced: seqs start again from 1 (the cursor 5001 is "in the future": live).
        _h.At(Seconds(5), () =>
        {
            var s = _h.Transport.Socket(1);
            s.SendText(V2Frames.Commit(1, "c"));
            s.SendText(V2Frames.Commit(2, "d"));
            s.Drop();
        });
        _h.At(Seconds(10), () =>
        {
            var s = _h.Transport.Socket(2);
            s.SendText(V2Frames.Commit(2, "d"));
            s.SendText(V2Frames.Commit(3, "e"));
        });
        _h.Scheduler.AdvanceTo(Seconds(20));

        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("5001"));
        Assert.That(_h.Transport.Attempts[2].Cursor, Is.EqualTo("2"), "rebased on the new numbering");
        var delivered = observer.Messages.Where(m => m.Value.Kind == System.Reactive.NotificationKind.OnNext).Select(m => ((CommitEvent)m.Value.Value).Commit.RKey).ToList();
        Assert.That(delivered, Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
        Assert.That(gaps, Has.Count.EqualTo(1));
        Assert.That(gaps[0], Is.EqualTo(new JetstreamGap("ws://127.0.0.1:6008/xrpc/network.bsky.jetstream.subscribeEvents", 5001, 1, V2Frames.BaseTimeUs, null, null) { SequenceReset = true }));
        Assert.That(resets.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(_h.LogsWithId(1060), Has.Count.EqualTo(1));
    }

    [TestCase(1_000_000_000_000_000L)]
    [TestCase(long.MaxValue)]
    public void Connect_V2ImplausibleSeq_DeliveredButNeverTheCursor(long bad)
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2 };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1), () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendText(V2Frames.Commit(41, "a"));
            s.SendText(V2Frames.Message("{\"$type\":\"network.bsky.jetstream.subscribeEvents#commit\",\"seq\":" + bad + ",\"did\":\"" + V2Frames.Did + "\",\"time\":\"" + V2Frames.Time(V2Frames.BaseTimeUs) + "\",\"rev\":\"3l3qo2vutsw2b\",\"operation\":\"delete\",\"collection\":\"app.bsky.feed.like\",\"rkey\":\"bad\"}"));
            s.Drop();
        });
        _h.At(Seconds(5), () =>
        {
            var s = _h.Transport.Socket(1);
            s.SendText(V2Frames.Commit(41, "a"));
            s.SendText(V2Frames.Commit(42, "b"));
            s.SendText(V2Frames.Commit(43, "c"));
        });
        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("41"), "resumed from the last plausible seq; the replayed 41 is skipped");
        var delivered = observer.Messages.Where(m => m.Value.Kind == System.Reactive.NotificationKind.OnNext).Select(m => ((CommitEvent)m.Value.Value).Commit.RKey).ToList();
        Assert.That(delivered, Is.EqualTo(new[] { "a", "bad", "b", "c" }));
    }

    [TestCase(long.MaxValue, false)]
    [TestCase(-1L, false)]
    [TestCase(1_000_000_000_000_000L, true)]
    public void Connect_StoredCursorImplausible_ReportedAtLoadAndNotTrusted(long value, bool isSeq)
    {
        _h.Scheduler.AdvanceTo(Start);
        var protocol = isSeq ? JetstreamProtocol.V2 : JetstreamProtocol.V1;
        var store = new MemoryCursorStore(() => _h.Scheduler.Clock)
        {
            Stored = new JetstreamCursor(value, isSeq, isSeq ? T : value, protocol, "127.0.0.1:6008"),
        };
        _h.Options = _h.Options with { Protocol = protocol, CursorStore = store, Cursor = 7 };
        using var implausible = _h.Meters.Collect<long>("jetstream.client.cursor.implausible");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Start + Seconds(1), () => _h.Transport.Socket(0).SendText(isSeq ? V2Frames.Commit(7) : Events.Like(T)));
        _h.Scheduler.AdvanceTo(Start + Seconds(2));

        Assert.That(_h.Transport.Attempts[0].Cursor, Is.EqualTo("7"), "the configured cursor, as if nothing were stored");
        Assert.That(_h.LogsWithId(1063), Has.Count.EqualTo(1));
        Assert.That(implausible.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(observer.Messages, Has.Count.EqualTo(1), "the first event is not taken for a replay of the stored one");
    }

    [Test]
    public void Connect_StoredSequenceCursorWithoutTime_Trusted()
    {
        _h.Scheduler.AdvanceTo(Start);
        var store = new MemoryCursorStore(() => _h.Scheduler.Clock)
        {
            Stored = new JetstreamCursor(42, true, 0, JetstreamProtocol.V2, "127.0.0.1:6008"),
        };
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, CursorStore = store };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Start + Seconds(1));

        Assert.That(_h.Transport.Attempts[0].Cursor, Is.EqualTo("42"), "a custom store that keeps only the seq is not rejected");
        Assert.That(_h.LogsWithId(1063), Is.Empty);
    }

    [Test]
    public void Connect_TimeUsWithinClockTolerance_Trusted()
    {
        _h.Scheduler.AdvanceTo(Start);
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(Start + Seconds(1), () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendText(Events.Like(T + 300_000_000)); // 5 minutes ahead: a skewed server clock, within the 10-minute default
            s.Drop();
        });
        _h.Scheduler.AdvanceTo(Start + Seconds(5));

        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo((T + 300_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Validate_LivenessOptionsOutOfRange_NameEachOption()
    {
        var options = new JetstreamOptions
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(10),
            KeepAliveTimeout = TimeSpan.FromHours(1),
            CursorClockTolerance = TimeSpan.Zero,
            IdleTimeout = TimeSpan.FromMilliseconds(10),
        };

        var ex = Assert.Throws<JetstreamOptionsException>(options.Validate);
        Assert.That(ex!.Errors, Has.Some.StartsWith("JetstreamOptions.KeepAliveInterval is 00:00:00.0100000"));
        Assert.That(ex.Errors, Has.Some.StartsWith("JetstreamOptions.KeepAliveTimeout is 01:00:00"));
        Assert.That(ex.Errors, Has.Some.StartsWith("JetstreamOptions.CursorClockTolerance is 00:00:00"));
        Assert.That(ex.Errors, Has.Some.StartsWith("JetstreamOptions.IdleTimeout is 00:00:00.0100000"));
        Assert.That(() => new JetstreamOptions { IdleTimeout = null, KeepAliveInterval = Timeout.InfiniteTimeSpan, KeepAliveTimeout = Timeout.InfiniteTimeSpan, CursorClockTolerance = Timeout.InfiniteTimeSpan }.Validate(), Throws.Nothing);
    }
}
