using System.Reactive.Disposables;
using Jetstream.Reactive.Linq;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace Jetstream.Reactive.Tests.Linq;

/// <summary>Batches of what is queued, and the graceful stop that drains the queue.</summary>
public sealed class SubscribeBatchesAsyncTests
{
    private TestScheduler _scheduler = null!;
    private List<string> _log = null!;

    [SetUp]
    public void SetUp()
    {
        // Awaits resume inline only without NUnit's synchronization context (see Harness).
        SynchronizationContext.SetSynchronizationContext(null);
        _scheduler = new TestScheduler();
        _log = [];
    }

    [Test]
    public void SubscribeBatchesAsync_HandlerBehind_EachCallGetsWhatIsQueuedUpToTheMax()
    {
        var xs = _scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(220, 2), OnNext(221, 3), OnNext(222, 4), OnNext(223, 5), OnNext(224, 6), OnNext(225, 7), OnNext(226, 8));

        using var sub = xs.SubscribeBatchesAsync(BatchHandler(100), maxBatchSize: 3, options: new AsyncHandlerOptions { Scheduler = _scheduler });
        _scheduler.AdvanceTo(1_000);

        Assert.That(_log, Is.EqualTo(new[] { "[1] @211", "[2,3,4] @311", "[5,6,7] @411", "[8] @511" }));
        Assert.That(sub.Handled, Is.EqualTo(8), "items, not calls");
    }

    [Test]
    public void SubscribeBatchesAsync_QueueFull_DropCallbacksReportEachDropAndTheEpisodeEnd()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(211, 2), OnNext(212, 3), OnNext(213, 4), OnNext(214, 5));
        var drops = new List<bool>();
        var ended = new List<long>();

        using var sub = xs.SubscribeBatchesAsync(BatchHandler(100), 1, options: new AsyncHandlerOptions
        {
            Scheduler = _scheduler,
            BufferCapacity = 2,
            Dropped = first => drops.Add(first),
            DropsEnded = count => ended.Add(count),
        });
        _scheduler.AdvanceTo(1_000);

        // 1 is taken at once; 2 and 3 fill the queue; 4 and 5 are dropped (one episode), which ends when the queue drains.
        Assert.That(drops, Is.EqualTo(new[] { true, false }));
        Assert.That(ended, Is.EqualTo(new[] { 2L }));
        Assert.That(sub.Dropped, Is.EqualTo(2));
    }

    [Test]
    public void SubscribeBatchesAsync_BadMaxBatchSize_Throws()
    {
        var xs = _scheduler.CreateHotObservable<int>();

        Assert.That(() => xs.SubscribeBatchesAsync((_, _) => Task.CompletedTask, 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("maxBatchSize is 0; it must be between 1 and 100,000."));
    }

    [Test]
    public async Task DrainAsync_ItemsQueued_SourceLeftThenQueueHandledThenCompleted()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(211, 2), OnNext(212, 3), OnNext(400, 4));
        var completed = false;
        var sub = xs.SubscribeBatchesAsync(BatchHandler(100), 1, onCompleted: () => completed = true, options: new AsyncHandlerOptions { Scheduler = _scheduler });
        _scheduler.AdvanceTo(250);

        var draining = sub.DrainAsync(CancellationToken.None);
        _scheduler.AdvanceTo(1_000);

        await draining.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(completed, Is.True);
        Assert.That(_log, Is.EqualTo(new[] { "[1] @211", "[2] @311", "[3] @411" }), "the queued items are handled; 4 came after the drain began");
        Assert.That(xs.Subscriptions.Single().Unsubscribe, Is.EqualTo(250));
    }

    [Test]
    public async Task DrainAsync_Cancelled_RunningHandlerCancelledAndTheRestNotHandled()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(211, 2), OnNext(212, 3));
        var sub = xs.SubscribeBatchesAsync(BatchHandler(100), 1, options: new AsyncHandlerOptions { Scheduler = _scheduler });
        _scheduler.AdvanceTo(250);
        using var deadline = new CancellationTokenSource();

        var draining = sub.DrainAsync(deadline.Token);
        deadline.Cancel();
        _scheduler.AdvanceTo(1_000);

        await draining.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(_log, Is.EqualTo(new[] { "[1] @211", "cancelled" }));
        Assert.That(sub.Handled, Is.Zero);
    }

    private Func<IReadOnlyList<int>, CancellationToken, Task> BatchHandler(long ticks) => async (items, ct) =>
    {
        _log.Add($"[{string.Join(",", items)}] @{_scheduler.Clock}");
        var tcs = new TaskCompletionSource();
        var timer = _scheduler.Schedule(tcs, TimeSpan.FromTicks(ticks), static (_, t) =>
        {
            t.TrySetResult();
            return Disposable.Empty;
        });
        using var registration = ct.Register(() =>
        {
            timer.Dispose();
            tcs.TrySetCanceled(ct);
        });
        try
        {
            await tcs.Task;
        }
        catch (OperationCanceledException)
        {
            _log.Add("cancelled");
            throw;
        }
    };
}
