using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Linq;
using Microsoft.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Buffering;

/// <summary>
/// #16: a burst the producer queues inside a <see cref="DeliveryBatch"/> costs one scheduled drain, not one per item;
/// order, exact drop counts and the scheduler's part are unchanged.
/// </summary>
public sealed class DeliveryBatchTests
{
    [Test]
    public void Exit_BurstQueuedInsideBatch_SchedulesOneDrainAndDeliversInOrder()
    {
        // A scheduler that runs each work item at once: without the batch, every item finds the drain idle and
        // schedules it again (the worst case of a consumer that keeps catching up).
        var scheduler = new CountingImmediateScheduler();
        var source = new Subject<int>();
        var received = new List<int>();
        using var subscription = source.DropIncomingWhenFull(1_000, scheduler).Subscribe(received.Add);
        var batch = new DeliveryBatch();

        batch.Enter();
        for (var i = 0; i < 100; i++)
        {
            source.OnNext(i);
        }

        Assert.That(received, Is.Empty, "inside the batch the drain waits");
        Assert.That(scheduler.Scheduled, Is.Zero);
        batch.Exit();

        Assert.That(scheduler.Scheduled, Is.EqualTo(1), "one drain for the burst");
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, 100)));
    }

    [Test]
    public void OnNext_NoBatchOpen_WakesTheDrainAtOnce()
    {
        var scheduler = new CountingImmediateScheduler();
        var source = new Subject<int>();
        var received = new List<int>();
        using var subscription = source.DropIncomingWhenFull(1_000, scheduler).Subscribe(received.Add);
        var batch = new DeliveryBatch();
        batch.Enter();
        batch.Exit();

        source.OnNext(1);
        source.OnNext(2);

        Assert.That(received, Is.EqualTo(new[] { 1, 2 }), "a closed batch defers nothing");
        Assert.That(scheduler.Scheduled, Is.EqualTo(2));
    }

    [Test]
    public void Exit_BurstOverCapacityInsideBatch_DropsTheOverflowExactly()
    {
        var scheduler = new CountingImmediateScheduler();
        var source = new Subject<int>();
        var received = new List<int>();
        var dropped = new List<int>();
        using var subscription = source.DropIncomingWhenFull(10, scheduler, dropped.Add).Subscribe(received.Add);
        var batch = new DeliveryBatch();

        batch.Enter();
        for (var i = 0; i < 25; i++)
        {
            source.OnNext(i);
        }

        batch.Exit();

        Assert.That(received, Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(dropped, Is.EqualTo(Enumerable.Range(10, 15)));
        Assert.That(scheduler.Scheduled, Is.EqualTo(1));
    }

    [Test]
    public void Exit_UnderTestScheduler_DeliversTheBurstAtTheSameVirtualTime()
    {
        var scheduler = new TestScheduler();
        var source = new Subject<int>();
        var observer = scheduler.CreateObserver<int>();
        using var subscription = source.DropIncomingWhenFull(100, scheduler).Subscribe(observer);
        scheduler.AdvanceTo(50);
        var batch = new DeliveryBatch();

        batch.Enter();
        source.OnNext(1);
        source.OnNext(2);
        source.OnNext(3);
        batch.Exit();
        scheduler.Start();

        Assert.That(observer.Messages, Is.EqualTo(new[] { ReactiveTest.OnNext(51, 1), ReactiveTest.OnNext(51, 2), ReactiveTest.OnNext(51, 3) }));
    }

    [Test]
    public void OnNext_OtherThreadWhileBatchOpen_IsNotDeferred()
    {
        var scheduler = new CountingImmediateScheduler();
        var source = new Subject<int>();
        var received = new List<int>();
        using var subscription = source.DropIncomingWhenFull(100, scheduler).Subscribe(received.Add);
        var batch = new DeliveryBatch();
        batch.Enter();
        try
        {
            // The batch belongs to the thread that opened it: a producer elsewhere is never held back by it.
            var other = new Thread(() => source.OnNext(7));
            other.Start();
            other.Join();

            Assert.That(received, Is.EqualTo(new[] { 7 }));
        }
        finally
        {
            batch.Exit();
        }
    }

    private sealed class CountingImmediateScheduler : IScheduler
    {
        public int Scheduled { get; private set; }

        public DateTimeOffset Now => DateTimeOffset.UnixEpoch;

        public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action)
        {
            Scheduled++;
            return action(this, state);
        }

        public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action) =>
            throw new NotSupportedException();

        public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
            throw new NotSupportedException();
    }
}
