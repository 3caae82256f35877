using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Resume;

/// <summary>After a reconnect the request carries the right cursor (last delivered, seq, or the configured one) and the replay is skipped exactly.</summary>
public sealed class ResumeAfterReconnectTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

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
}
