using System.Reactive.Disposables;
using System.Reactive.Linq;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests;

/// <summary>
/// The durable cursor moves past an event only when every handler finished it, in delivery order, whatever synchronous
/// LINQ sits between <c>Connect</c> and the handler; the final save can be awaited.
/// </summary>
public sealed class CursorAcknowledgementTests
{
    private const long T0 = 1_779_719_000_000_000;
    private Harness _h = null!;
    private MemoryCursorStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _store = new MemoryCursorStore(() => _h.Scheduler.Clock);
        _h.Options = _h.Options with { CursorStore = _store, CursorSaveInterval = TimeSpan.FromSeconds(1) };
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    private void SendFive() => _h.At(Seconds(0.5), () =>
    {
        for (var i = 1; i <= 5; i++)
        {
            _h.Transport.Socket(0).SendText(Events.Like(T0 + i, "r" + i));
        }
    });

    [Test]
    public void SubscribeAsync_WhereBetweenConnectAndHandler_SavesOnlyWhatTheHandlerFinished()
    {
        var sub = JetstreamObservable.Connect(_h.Options).Where(_ => true).SubscribeAsync((e, ct) => VirtualDelay(Seconds(2), ct), _ => { }, options: new AsyncHandlerOptions { Scheduler = _h.Scheduler });
        SendFive();

        // Handler: event 1 from 0.5 s to 2.5 s, event 2 to 4.5 s; the 1 s saves see only finished events, as without the Where.
        _h.Scheduler.AdvanceTo(Seconds(5));
        sub.Dispose();

        Assert.That(_store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { T0 + 1, T0 + 2 }));
    }

    [Test]
    public void SubscribeAsync_WhereDropsLaterEvents_CursorNeverPassesAnEarlierUnfinishedEvent()
    {
        // Odd events go to the slow handler; even ones are filtered out (handled at once) but sit behind the odd ones.
        var sub = JetstreamObservable.Connect(_h.Options)
            .Where(e => (e.TimeUs - T0) % 2 == 1)
            .SubscribeAsync((e, ct) => VirtualDelay(Seconds(2), ct), _ => { }, options: new AsyncHandlerOptions { Scheduler = _h.Scheduler });
        SendFive();

        _h.Scheduler.AdvanceTo(Seconds(2));
        Assert.That(_store.Saves, Is.Empty, "event 1 is not finished, so filtered event 2 cannot be saved");

        // Event 1 done at 2.5 s (cursor to 2), event 3 at 4.5 s (cursor to 4), event 5 at 6.5 s.
        _h.Scheduler.AdvanceTo(Seconds(5));
        sub.Dispose();

        Assert.That(_store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { T0 + 2, T0 + 4 }));
    }

    [Test]
    public void SubscribeAsync_TwoHandlersOnAPublishedStream_CursorFollowsTheSlowerOne()
    {
        var shared = JetstreamObservable.Connect(_h.Options).Publish();
        var fast = shared.SubscribeAsync((e, ct) => Task.CompletedTask, _ => { }, options: new AsyncHandlerOptions { Scheduler = _h.Scheduler });
        var slow = shared.SubscribeAsync((e, ct) => VirtualDelay(Seconds(2), ct), _ => { }, options: new AsyncHandlerOptions { Scheduler = _h.Scheduler });
        var connection = shared.Connect();
        SendFive();

        _h.Scheduler.AdvanceTo(Seconds(5));
        connection.Dispose();
        fast.Dispose();
        slow.Dispose();

        Assert.That(fast.Handled, Is.EqualTo(5));
        Assert.That(_store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { T0 + 1, T0 + 2 }));
    }

    [Test]
    public void SubscribeBatchesAsync_BehindWhere_CursorMovesPastABatchWhenItsCallEnded()
    {
        var sub = JetstreamObservable.Connect(_h.Options).Where(_ => true)
            .SubscribeBatchesAsync((batch, ct) => VirtualDelay(Seconds(2), ct), maxBatchSize: 3, _ => { }, options: new AsyncHandlerOptions { Scheduler = _h.Scheduler });
        SendFive();

        // All five are queued before the first call: [1,2,3] from 0.5 s to 2.5 s, then [4,5] to 4.5 s; the saves at 1 s
        // intervals see only finished batches.
        _h.Scheduler.AdvanceTo(Seconds(5));
        sub.Dispose();

        Assert.That(_store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { T0 + 3, T0 + 5 }));
    }

    [Test]
    public void SubscribeAsync_HandlerBufferFull_DroppedEventDoesNotHoldTheCursor()
    {
        var sub = JetstreamObservable.Connect(_h.Options).Where(_ => true)
            .SubscribeAsync((e, ct) => VirtualDelay(Seconds(1), ct), _ => { }, options: new AsyncHandlerOptions { BufferCapacity = 2, Scheduler = _h.Scheduler });
        SendFive();

        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(sub.Dropped, Is.GreaterThan(0));
        Assert.That(_store.Stored?.Value, Is.EqualTo(T0 + 5), "the dropped events were given up on; the cursor reaches the last handled one");
        sub.Dispose();
    }

    [Test]
    public void Defer_OutsideADelivery_ReturnsNull() => Assert.That(JetstreamAck.Defer(), Is.Null);

    [Test]
    public void Defer_ObserverHoldsTheEvent_CursorWaitsForAcknowledge()
    {
        var acks = new List<JetstreamDeferredAck?>();
        using var sub = JetstreamObservable.Connect(_h.Options).Where(_ => true).Subscribe(_ => acks.Add(JetstreamAck.Defer()));
        SendFive();
        _h.Scheduler.AdvanceTo(Seconds(3));
        Assert.That(_store.Saves, Is.Empty);

        acks[1]!.Acknowledge();
        acks[0]!.Acknowledge();
        acks[0]!.Acknowledge();
        _h.Scheduler.AdvanceTo(Seconds(4));

        Assert.That(_store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { T0 + 2 }));
        Assert.That(acks[0]!.IsAcknowledged && !acks[2]!.IsAcknowledged);
    }

    [Test]
    public async Task DisposeAsync_SlowFinalSaveThroughLinq_CompletesOnlyAfterTheSave()
    {
        var store = new GatedStore();
        _h.Options = _h.Options with { CursorStore = store, CursorSaveInterval = TimeSpan.FromHours(1) };
        var sub = JetstreamObservable.Connect(_h.Options).Where(_ => true).SubscribeAsync((e, ct) => Task.CompletedTask, _ => { }, options: new AsyncHandlerOptions { Scheduler = _h.Scheduler });
        SendFive();
        _h.Scheduler.AdvanceTo(Seconds(1));

        var disposing = sub.DisposeAsync().AsTask();
        Assert.That(store.Started.Wait(TimeSpan.FromSeconds(30)), "the final save started");
        Assert.That(disposing.IsCompleted, Is.False, "the final save is still running");

        store.Release.TrySetResult();
        await disposing.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(store.Saved?.Value, Is.EqualTo(T0 + 5));
    }

    [Test]
    public async Task DisposeAsync_FinalSaveFails_ThrowsCursorStoreException()
    {
        _h.Options = _h.Options with { CursorSaveInterval = TimeSpan.FromHours(1) };
        var sub = JetstreamObservable.Connect(_h.Options).SubscribeAsync((e, ct) => Task.CompletedTask, _ => { }, options: new AsyncHandlerOptions { Scheduler = _h.Scheduler });
        SendFive();
        _h.Scheduler.AdvanceTo(Seconds(1));
        _store.SaveErrors.Enqueue(new IOException("disk full"));

        var e = await Assert.ThrowsAsync<JetstreamCursorStoreException>(async () => await sub.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.That(e!.InnerException, Is.TypeOf<IOException>());
    }

    [Test]
    public async Task DisposeAsync_PlainSubscription_CompletesOnlyAfterTheFinalSave()
    {
        var store = new GatedStore();
        _h.Options = _h.Options with { CursorStore = store, CursorSaveInterval = TimeSpan.FromHours(1) };
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        SendFive();
        _h.Scheduler.AdvanceTo(Seconds(1));

        Assert.That(sub, Is.InstanceOf<IAsyncDisposable>());
        var disposing = ((IAsyncDisposable)sub).DisposeAsync().AsTask();
        Assert.That(store.Started.Wait(TimeSpan.FromSeconds(30)), "the final save started");
        Assert.That(disposing.IsCompleted, Is.False);

        store.Release.TrySetResult();
        await disposing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(store.Saved?.Value, Is.EqualTo(T0 + 5));
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

    /// <summary>A store whose saves wait until the test releases them.</summary>
    private sealed class GatedStore : ICursorStore
    {
        public ManualResetEventSlim Started { get; } = new();

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public JetstreamCursor? Saved { get; private set; }

        public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<JetstreamCursor?>(null);

        public async ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
        {
            Started.Set();
            await Release.Task;
            Saved = cursor;
        }
    }
}
