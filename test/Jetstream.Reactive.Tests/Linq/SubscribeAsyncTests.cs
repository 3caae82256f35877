using System.Reactive.Disposables;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace Jetstream.Reactive.Tests.Linq;

public sealed class SubscribeAsyncTests
{
    private TestScheduler _scheduler = null!;
    private List<string> _log = null!;
    private int _running;
    private int _maxRunning;

    [SetUp]
    public void SetUp()
    {
        // Awaits resume inline only without NUnit's synchronization context (see Harness).
        SynchronizationContext.SetSynchronizationContext(null);
        _scheduler = new TestScheduler();
        _log = [];
        _running = 0;
        _maxRunning = 0;
    }

    [Test]
    public void SubscribeAsync_SlowHandler_OneCallAtATimeInOrder()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(211, 2), OnNext(212, 3));

        using var sub = xs.SubscribeAsync(Handler(100), options: new AsyncHandlerOptions { Scheduler = _scheduler });
        _scheduler.AdvanceTo(1_000);

        Assert.That(_log, Is.EqualTo(new[] { "start 1 @211", "end 1 @311", "start 2 @311", "end 2 @411", "start 3 @411", "end 3 @511" }));
        Assert.That(_maxRunning, Is.EqualTo(1));
        Assert.That(sub.Handled, Is.EqualTo(3));
    }

    [Test]
    public void SubscribeAsync_Disposed_CancelsTheRunningHandlerAndCompletes()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(211, 2));
        CancellationToken seen = default;
        var sub = xs.SubscribeAsync(
            async (x, ct) =>
            {
                seen = ct;
                _log.Add($"start {x}");
                await Delay(1_000, ct);
                _log.Add($"end {x}");
            },
            options: new AsyncHandlerOptions { Scheduler = _scheduler });
        _scheduler.AdvanceTo(250);
        Assert.That(sub.Completion.IsCompleted, Is.False);

        sub.Dispose();

        Assert.That(seen.IsCancellationRequested, Is.True);
        Assert.That(sub.Completion.Status, Is.EqualTo(TaskStatus.RanToCompletion), "Completion never faults: IsCompleted would also hold for a faulted task");
        _scheduler.AdvanceTo(5_000);
        Assert.That(_log, Is.EqualTo(new[] { "start 1" }), "no handler runs after dispose");
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(0, 250) }));
    }

    [Test]
    public void SubscribeAsync_HandlerThrowsWithStop_ReportsAndEnds()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnNext(230, 3));
        var errors = new List<Exception>();
        var failed = new List<Exception>();

        using var sub = xs.SubscribeAsync(
            (x, _) => x == 2 ? throw new InvalidOperationException("handler failed on 2") : Task.CompletedTask,
            errors.Add,
            options: new AsyncHandlerOptions { Scheduler = _scheduler, HandlerFailed = failed.Add });
        _scheduler.AdvanceTo(1_000);

        Assert.That(errors.Single().Message, Is.EqualTo("handler failed on 2"));
        Assert.That(failed, Has.Count.EqualTo(1));
        Assert.That(sub.Handled, Is.EqualTo(2));
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(0, 221) }));
        Assert.That(sub.Completion.Status, Is.EqualTo(TaskStatus.RanToCompletion), "Completion never faults: IsCompleted would also hold for a faulted task");
    }

    [Test]
    public void SubscribeAsync_HandlerThrowsWithContinue_ReportsAndGoesOn()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnNext(230, 3), OnCompleted<int>(240));
        var failed = new List<Exception>();
        var completed = false;
        var handled = new List<int>();

        using var sub = xs.SubscribeAsync(
            async (x, ct) =>
            {
                await Delay(5, ct);
                handled.Add(x);
                if (x == 2)
                {
                    throw new InvalidOperationException("2");
                }
            },
            _ => Assert.Fail("no error is expected"),
            () => completed = true,
            new AsyncHandlerOptions { Scheduler = _scheduler, OnHandlerError = HandlerErrorBehavior.Continue, HandlerFailed = failed.Add });
        _scheduler.AdvanceTo(1_000);

        Assert.That(handled, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(failed.Single().Message, Is.EqualTo("2"));
        Assert.That(completed, Is.True);
        Assert.That(sub.Completion.Status, Is.EqualTo(TaskStatus.RanToCompletion), "Completion never faults: IsCompleted would also hold for a faulted task");
    }

    [Test]
    public void SubscribeAsync_BurstBeyondCapacity_DropsIncomingAndCounts()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(210, 2), OnNext(210, 3), OnNext(210, 4), OnNext(210, 5));

        using var sub = xs.SubscribeAsync(Handler(10), options: new AsyncHandlerOptions { Scheduler = _scheduler, BufferCapacity = 2 });
        _scheduler.AdvanceTo(1_000);

        Assert.That(_log.Where(l => l.StartsWith("start", StringComparison.Ordinal)), Is.EqualTo(new[] { "start 1 @211", "start 2 @221" }));
        Assert.That(sub.Dropped, Is.EqualTo(3));
        Assert.That(sub.Queued, Is.Zero);
    }

    [Test]
    public void SubscribeAsync_SourceCompletes_CompletesAfterTheLastHandler()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(211, 2), OnCompleted<int>(212));
        long completedAt = -1;

        using var sub = xs.SubscribeAsync(Handler(100), onCompleted: () => completedAt = _scheduler.Clock, options: new AsyncHandlerOptions { Scheduler = _scheduler });
        _scheduler.AdvanceTo(1_000);

        Assert.That(completedAt, Is.EqualTo(411));
        Assert.That(sub.Completion.Status, Is.EqualTo(TaskStatus.RanToCompletion), "Completion never faults: IsCompleted would also hold for a faulted task");
    }

    [Test]
    public void SubscribeAsync_SourceErrors_ReportsAfterQueuedItems()
    {
        var error = new JetstreamConnectionClosedException(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "bad");
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnError<int>(211, error));
        long errorAt = -1;

        using var sub = xs.SubscribeAsync(Handler(100), e => errorAt = e == error ? _scheduler.Clock : -2, options: new AsyncHandlerOptions { Scheduler = _scheduler });
        _scheduler.AdvanceTo(1_000);

        Assert.That(errorAt, Is.EqualTo(311));
        Assert.That(_log, Is.EqualTo(new[] { "start 1 @211", "end 1 @311" }));
    }

    [Test]
    public void SubscribeAsync_NoOnErrorAndSourceErrors_RaisesOnTheScheduler()
    {
        var xs = _scheduler.CreateHotObservable(OnError<int>(210, new InvalidOperationException("unobserved")));

        using var sub = xs.SubscribeAsync((_, _) => Task.CompletedTask, options: new AsyncHandlerOptions { Scheduler = _scheduler });

        Assert.That(() => _scheduler.AdvanceTo(1_000), Throws.InvalidOperationException.With.Message.EqualTo("unobserved"));
    }

    [Test]
    public void SubscribeAsync_OnJetstreamStream_SharesItsBufferAndMetrics()
    {
        using var h = new Harness();
        h.Options = h.Options with { BufferCapacity = 2 };
        using var dropped = h.Meters.Collect<long>("jetstream.client.events.dropped");
        var seen = new List<long>();

        using var sub = JetstreamObservable.Connect(h.Options).SubscribeAsync(
            async (e, ct) =>
            {
                seen.Add(e.TimeUs);
                await Delay(h.Scheduler, 100, ct);
            });
        h.At(10, () =>
        {
            for (var i = 1; i <= 5; i++)
            {
                h.Transport.Socket(0).SendText(Events.Like(i));
            }
        });
        h.Scheduler.AdvanceTo(10_000);

        Assert.That(seen, Is.EqualTo(new[] { 1L, 2 }));
        Assert.That(sub.Dropped, Is.EqualTo(3));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(3), "the stream's metric counts the handler queue's drops");
    }

    [Test]
    public void SubscribeAsync_BadArguments_Throw()
    {
        var xs = _scheduler.CreateColdObservable<int>();
        Assert.That(() => xs.SubscribeAsync(null!), Throws.ArgumentNullException);
        Assert.That(() => xs.SubscribeAsync((_, _) => Task.CompletedTask, options: new AsyncHandlerOptions { BufferCapacity = 0 }), Throws.ArgumentException.With.Message.Contains("BufferCapacity is 0"));
    }

    [Test]
    public void SubscribeAsync_ImmediateOrCurrentThreadScheduler_Throws()
    {
        var xs = _scheduler.CreateColdObservable<int>();
        Assert.That(
            () => xs.SubscribeAsync((_, _) => Task.CompletedTask, options: new AsyncHandlerOptions { Scheduler = System.Reactive.Concurrency.ImmediateScheduler.Instance }),
            Throws.ArgumentException.With.Message.Contains("AsyncHandlerOptions.Scheduler is ImmediateScheduler"));
        Assert.That(
            () => xs.SubscribeAsync((_, _) => Task.CompletedTask, options: new AsyncHandlerOptions { Scheduler = System.Reactive.Concurrency.CurrentThreadScheduler.Instance }),
            Throws.ArgumentException.With.Message.Contains("AsyncHandlerOptions.Scheduler is CurrentThreadScheduler"));
    }

    [Test]
    public void SubscribeAsync_OnErrorThrows_CompletionFaultsAndSourceIsUnsubscribed()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnError<int>(220, new InvalidOperationException("source")));

        using var sub = xs.SubscribeAsync((_, _) => Task.CompletedTask, _ => throw new InvalidOperationException("onError failed"), options: new AsyncHandlerOptions { Scheduler = _scheduler });
        _scheduler.AdvanceTo(1_000);

        Assert.That(sub.Completion.IsFaulted, Is.True);
        Assert.That(sub.Completion.Exception!.InnerException!.Message, Is.EqualTo("onError failed"));
    }

    [Test]
    public void SubscribeAsync_OnCompletedThrows_CompletionFaults()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnCompleted<int>(220));

        using var sub = xs.SubscribeAsync((_, _) => Task.CompletedTask, onCompleted: () => throw new InvalidOperationException("onCompleted failed"), options: new AsyncHandlerOptions { Scheduler = _scheduler });
        _scheduler.AdvanceTo(1_000);

        Assert.That(sub.Completion.IsFaulted, Is.True);
        Assert.That(sub.Completion.Exception!.InnerException!.Message, Is.EqualTo("onCompleted failed"));
    }

    [Test]
    public void SubscribeAsync_HandlerFailedThrows_CompletionFaultsAndSourceIsUnsubscribed()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnNext(230, 3));
        var handled = new List<int>();

        using var sub = xs.SubscribeAsync(
            (x, _) =>
            {
                handled.Add(x);
                return x == 1 ? throw new InvalidOperationException("handler") : Task.CompletedTask;
            },
            options: new AsyncHandlerOptions { Scheduler = _scheduler, OnHandlerError = HandlerErrorBehavior.Continue, HandlerFailed = _ => throw new InvalidOperationException("HandlerFailed failed") });
        _scheduler.AdvanceTo(1_000);

        Assert.That(sub.Completion.IsFaulted, Is.True);
        Assert.That(sub.Completion.Exception!.InnerException!.Message, Is.EqualTo("HandlerFailed failed"));
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(0, 211) }), "a dead subscription does not keep the source (and a paused connection) alive");
        Assert.That(handled, Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void SubscribeAsync_LoggerThrows_HandlingGoesOn()
    {
        var xs = _scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnCompleted<int>(230));
        var handled = new List<int>();
        var completed = false;

        using var sub = xs.SubscribeAsync(
            (x, _) =>
            {
                handled.Add(x);
                return x == 1 ? throw new InvalidOperationException("handler") : Task.CompletedTask;
            },
            onCompleted: () => completed = true,
            options: new AsyncHandlerOptions { Scheduler = _scheduler, OnHandlerError = HandlerErrorBehavior.Continue, Logger = new ThrowingLogger() });
        _scheduler.AdvanceTo(1_000);

        Assert.That(handled, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(completed, Is.True);
        Assert.That(sub.Completion.IsCompletedSuccessfully, Is.True);
    }

    private Func<int, CancellationToken, Task> Handler(long ticks) => async (x, ct) =>
    {
        _maxRunning = Math.Max(_maxRunning, ++_running);
        _log.Add($"start {x} @{_scheduler.Clock}");
        await Delay(ticks, ct);
        _log.Add($"end {x} @{_scheduler.Clock}");
        _running--;
    };

    private Task Delay(long ticks, CancellationToken ct) => Delay(_scheduler, ticks, ct);

    /// <summary>A task that completes after <paramref name="ticks"/> of virtual time (inline, on the scheduler's thread).</summary>
    private static Task Delay(TestScheduler scheduler, long ticks, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource();
        var timer = scheduler.Schedule(tcs, TimeSpan.FromTicks(ticks), static (_, t) =>
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
