using System.Reactive.Concurrency;
using Jetstream.Reactive.Linq;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace Jetstream.Reactive.Tests.Linq;

public sealed class DropIncomingWhenFullTests
{
    [Test]
    public void DropIncomingWhenFull_RoomInBuffer_DeliversEverythingInOrderOnTheScheduler()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnNext(230, 3), OnCompleted<int>(240));

        var results = scheduler.Start(() => xs.DropIncomingWhenFull(10, scheduler));

        Assert.That(results.Messages, Is.EqualTo(new[] { OnNext(211, 1), OnNext(221, 2), OnNext(231, 3), OnCompleted<int>(241) }));
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 240) }), "the finished source is released at once");
    }

    [Test]
    public void DropIncomingWhenFull_BurstBeyondCapacity_KeepsQueuedDropsIncoming()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(210, 2), OnNext(210, 3), OnNext(210, 4), OnNext(210, 5), OnNext(300, 6));
        var dropped = new List<(long, int)>();

        var results = scheduler.Start(() => xs.DropIncomingWhenFull(2, scheduler, x => dropped.Add((scheduler.Clock, x))));

        Assert.That(results.Messages, Is.EqualTo(new[] { OnNext(211, 1), OnNext(211, 2), OnNext(301, 6) }));
        Assert.That(dropped, Is.EqualTo(new[] { (210L, 3), (210L, 4), (210L, 5) }));
    }

    [Test]
    public void DropIncomingWhenFull_ErrorAfterItems_DeliversQueuedItemsFirst()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("boom");
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(210, 2), OnError<int>(210, error));

        var results = scheduler.Start(() => xs.DropIncomingWhenFull(10, scheduler));

        Assert.That(results.Messages, Is.EqualTo(new[] { OnNext(211, 1), OnNext(211, 2), OnError<int>(211, error) }));
    }

    [Test]
    public void DropIncomingWhenFull_Disposed_StopsDeliveryAndUnsubscribes()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(250, 2), OnNext(260, 3));

        var results = scheduler.Start(() => xs.DropIncomingWhenFull(10, scheduler), 100, 200, 250);

        Assert.That(results.Messages, Is.EqualTo(new[] { OnNext(211, 1) }), "the item queued at 250 is discarded by the dispose at 250, before its drain at 251");
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 250) }));
    }

    [Test]
    public void DropIncomingWhenFull_ProducerNeverWaitsForTheObserver()
    {
        // The producer runs on this thread; the scheduler is a queue nobody runs, so the observer never gets the items.
        var producerReturned = 0;
        var scheduler = new ManualScheduler();
        using var subject = new System.Reactive.Subjects.Subject<int>();
        using var sub = subject.DropIncomingWhenFull(3, scheduler).Subscribe(_ => Assert.Fail("delivered on the producer's thread"));
        for (var i = 0; i < 1_000; i++)
        {
            subject.OnNext(i);
            producerReturned++;
        }

        Assert.That(producerReturned, Is.EqualTo(1_000));
        Assert.That(scheduler.Pending, Is.EqualTo(1), "one drain is scheduled, whatever the number of items");
    }

    [Test]
    public void DropIncomingWhenFull_BadArguments_Throw()
    {
        var xs = new TestScheduler().CreateColdObservable<int>();
        Assert.That(() => xs.DropIncomingWhenFull(0, Scheduler.Immediate), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => xs.DropIncomingWhenFull(1, null!), Throws.ArgumentNullException);
        Assert.That(() => ((IObservable<int>)null!).DropIncomingWhenFull(1, Scheduler.Immediate), Throws.ArgumentNullException);
    }

    private sealed class ManualScheduler : IScheduler
    {
        public int Pending { get; private set; }

        public DateTimeOffset Now => DateTimeOffset.UnixEpoch;

        public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action)
        {
            Pending++;
            return System.Reactive.Disposables.Disposable.Empty;
        }

        public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action) => Schedule(state, action);

        public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) => Schedule(state, action);
    }
}
