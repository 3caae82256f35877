using System.Reactive.Disposables;
using System.Reactive.Subjects;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Buffering;

/// <summary>A full buffer under ResumeFromCursor pauses the reader, drains, and resumes with nothing lost, also across endpoints and with a slow handler.</summary>
public sealed class OverflowPauseTests
{
    private const long T0 = 1_779_719_000_000_000;
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Overflow_ResumeFromCursor_PausesDrainsAndResumesWithNothingLost()
    {
        _h.Options = _h.Options with { BufferCapacity = 4, Overflow = JetstreamOverflow.ResumeFromCursor };
        using var dropped = _h.Meters.Collect<long>("jetstream.client.events.dropped");
        using var pauses = _h.Meters.Collect<long>("jetstream.client.overflow.pauses");
        using var resumes = _h.Meters.Collect<long>("jetstream.client.overflow.resumes");
        using var reconnects = _h.Meters.Collect<long>("jetstream.client.reconnects");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);

        // Every connection gets, in one burst, all ten events from its cursor on (inclusive, like the servers).
        for (var served = 0; served < 6 && _h.Transport.Attempts.Count > served; served++)
        {
            var socket = _h.Transport.Socket(served);
            var from = _h.Transport.Attempts[served].Cursor is { } c ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) - T0 : 1;
            _h.At(_h.Scheduler.Clock + 100, () =>
            {
                for (var i = from; i <= 10; i++)
                {
                    socket.SendText(Events.Like(T0 + i, $"e{i}"));
                }
            });
            _h.Scheduler.AdvanceBy(200);
        }

        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(Enumerable.Range(1, 10).Select(i => $"e{i}")));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.Zero);

        // Bursts of 10, 7 and 4 (with the replayed one skipped) against a buffer of 4: two pauses, two resumes.
        Assert.That(pauses.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
        Assert.That(resumes.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
        Assert.That(reconnects.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "overflow_pause", "overflow_pause" }), "a pause is not a failure");
        Assert.That(_h.Transport.Attempts.Select(a => a.Cursor), Is.EqualTo(new[] { null, (T0 + 4).ToString(System.Globalization.CultureInfo.InvariantCulture), (T0 + 8).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True, "the reader stopped and closed the connection");
        Assert.That(_h.LogsWithId(1031), Has.Count.EqualTo(2));
    }

    [Test]
    public void Overflow_ResumeFromCursorWithSeveralEndpoints_LosesNothing()
    {
        _h.Options = _h.Options with
        {
            BufferCapacity = 4,
            Overflow = JetstreamOverflow.ResumeFromCursor,
            Endpoint = JetstreamOptions.DefaultEndpoint,
            Endpoints = [new Uri("ws://127.0.0.1:6008"), new Uri("ws://127.0.0.2:6008")],
        };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        for (var served = 0; served < 6 && _h.Transport.Attempts.Count > served; served++)
        {
            var socket = _h.Transport.Socket(served);
            var from = _h.Transport.Attempts[served].Cursor is { } c ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) - T0 : 1;
            _h.At(_h.Scheduler.Clock + 100, () =>
            {
                for (var i = from; i <= 10; i++)
                {
                    socket.SendText(Events.Like(T0 + i, $"e{i}"));
                }
            });
            _h.Scheduler.AdvanceBy(200);
        }

        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(Enumerable.Range(1, 10).Select(i => $"e{i}")));
    }

    [Test]
    public void Overflow_ResumeFromCursorWithSlowHandler_WaitsForTheDrainBeforeReconnecting()
    {
        _h.Options = _h.Options with { BufferCapacity = 4, Overflow = JetstreamOverflow.ResumeFromCursor };
        var handled = new List<long>();
        using var sub = JetstreamObservable.Connect(_h.Options).SubscribeAsync(
            async (e, ct) =>
            {
                await VirtualDelay(Seconds(1), ct);
                handled.Add(e.TimeUs);
            },
            _ => { });
        _h.At(100, () =>
        {
            for (var i = 1; i <= 6; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }
        });

        // Four queued, the fifth pauses. The first call takes event 1 (three left); when it ends, 1 s later, the second
        // is taken and half the buffer (two) is left: only then does the stream reconnect.
        _h.Scheduler.AdvanceTo(Seconds(1));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "no reconnect while the subscriber is behind");
        _h.Scheduler.AdvanceTo(Seconds(1) + 200);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo((T0 + 4).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _h.At(Seconds(3), () =>
        {
            for (var i = 4; i <= 6; i++)
            {
                _h.Transport.Socket(1).SendText(Events.Like(T0 + i));
            }
        });
        _h.Scheduler.AdvanceTo(Seconds(20));

        Assert.That(handled, Is.EqualTo(Enumerable.Range(1, 6).Select(i => T0 + i)));
    }

    private Task VirtualDelay(long ticks, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource();
        var timer = _h.Scheduler.Schedule(tcs, TimeSpan.FromTicks(ticks), static (_, t) =>
        {
            t.TrySetResult();
            return Disposable.Empty;
        });
        ct.Register(() =>
        {
            timer.Dispose();
            tcs.TrySetCanceled(ct);
        });
        return tcs.Task;
    }
}
