using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Reconnect;
using Microsoft.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Reconnect;

/// <summary>
/// The retry's own bookkeeping: the resubscription it schedules is the one that stays alive, whenever the scheduler
/// runs it (a pool thread may run it before <c>Schedule</c> has even returned to the thread that asked).
/// </summary>
public sealed class RetryWithBackoffObservableTests
{
    [Test]
    public void Subscribe_ResubscriptionRunsBeforeScheduleReturns_NewConnectionStaysAlive()
    {
        // The immediate scheduler runs the resubscription inside Schedule, as the default scheduler's pool thread does
        // when the thread that reported the error is preempted right after queueing it (the NATS relay's rare hang: the
        // handle of the finished wait was then stored over the new connection, disposing it, and the stream went quiet
        // with no error and no further connection).
        var source = new FakeSource();
        var received = new List<int>();
        Exception? error = null;
        var retry = new RetryWithBackoffObservable<int>(source, BackoffPolicy.Default, _ => ReconnectDecision.Now(ReconnectPolicy.ReconnectOverflowPause), Scheduler.Immediate, null);
        using var subscription = retry.Subscribe(received.Add, e => error = e);

        source.Observers[0].OnError(new OverflowPauseException());

        Assert.That(source.Observers, Has.Count.EqualTo(2), "the pause reconnected");
        source.Observers[1].OnNext(42);
        Assert.Multiple(() =>
        {
            Assert.That(source.Subscriptions[1].IsDisposed, Is.False, "the new connection is not disposed by the retry that made it");
            Assert.That(received, Is.EqualTo(new[] { 42 }), "its events are delivered");
            Assert.That(error, Is.Null);
        });
    }

    [Test]
    public void Subscribe_DisposedDuringBackoff_NoResubscription()
    {
        // The wait still sits in the slot the subscription's dispose clears: a stream disposed while waiting never reconnects.
        var scheduler = new TestScheduler();
        var source = new FakeSource();
        var retry = new RetryWithBackoffObservable<int>(source, BackoffPolicy.Default, _ => ReconnectDecision.AfterBackoff(), scheduler, null);
        var subscription = retry.Subscribe(_ => { }, _ => { });

        source.Observers[0].OnError(new JetstreamConnectionException("refused", null));
        subscription.Dispose();
        scheduler.AdvanceBy(TimeSpan.FromMinutes(5).Ticks);

        Assert.That(source.Observers, Has.Count.EqualTo(1));
    }

    /// <summary>A source that records each subscription and whether it was disposed.</summary>
    private sealed class FakeSource : IObservable<int>
    {
        public List<IObserver<int>> Observers { get; } = [];

        public List<BooleanDisposable> Subscriptions { get; } = [];

        public IDisposable Subscribe(IObserver<int> observer)
        {
            var subscription = new BooleanDisposable();
            Observers.Add(observer);
            Subscriptions.Add(subscription);
            return subscription;
        }
    }
}
