using System.Reactive.Disposables;
using System.Reactive.Subjects;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Connection;

/// <summary>Dispose while connecting, with events waiting in the buffer, or while waiting for a drain: nothing more is delivered or retried.</summary>
public sealed class DisposeMidOperationTests
{
    private const long T0 = 1_779_719_000_000_000;
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Dispose_WhileConnecting_CancelsTheConnectAndNeverRetries()
    {
        _h.Transport.ThenHang();
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(100);
        sub.Dispose();
        sub.Dispose();
        _h.Scheduler.AdvanceTo(Seconds(600));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Dispose_WhileEventsWaitInTheBuffer_DeliversNoneOfThem()
    {
        var delivered = 0;
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => delivered++);
        _h.At(100, () =>
        {
            for (var i = 0; i < 5; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }

            // Disposed in the same tick, before the drain scheduled for tick 101.
            sub.Dispose();
        });
        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(delivered, Is.Zero);
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Dispose_WhileWaitingForTheDrainAfterAPause_NeverReconnects()
    {
        _h.Options = _h.Options with { BufferCapacity = 4, Overflow = JetstreamOverflow.ResumeFromCursor };
        var sub = JetstreamObservable.Connect(_h.Options).SubscribeAsync((e, ct) => VirtualDelay(Seconds(100), ct), _ => { });
        _h.At(100, () =>
        {
            for (var i = 0; i < 6; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }
        });

        // Four queued, the fifth pauses; the handler takes 100 s per event, so the buffer stays above half.
        _h.Scheduler.AdvanceTo(Seconds(1));
        sub.Dispose();
        _h.Scheduler.AdvanceTo(Seconds(1_000));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(sub.Completion.Status, Is.EqualTo(TaskStatus.RanToCompletion), "Completion never faults: IsCompleted would also hold for a faulted task");
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
