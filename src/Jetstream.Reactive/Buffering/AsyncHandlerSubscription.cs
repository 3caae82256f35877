using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Runtime.ExceptionServices;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Resume;

// Why this file is over 300 lines: the queue, the drain loop (single items and batches), the cursor acknowledgements
// and the ways out (dispose, drain, handler error, source error) share one lock and one lifetime; splitting them
// would spread one state machine over several types. The acknowledgement bookkeeping is the next candidate to move out.

namespace Jetstream.Reactive.Buffering;

/// <summary>
/// The observer behind <c>SubscribeAsync</c>: items go into a bounded drop-incoming queue; one drain loop awaits the
/// handler for each in order, so the handler never runs twice at once and the source never waits for it.
/// </summary>
internal sealed class AsyncHandlerSubscription<T> : AsyncSubscription, IObserver<T>, IDeferredWake, IIncomingDropTarget
{
    private readonly Func<T, CancellationToken, Task>? _handler;
    private readonly Func<IReadOnlyList<T>, CancellationToken, Task>? _batchHandler;
    private readonly int _maxBatch;
    private readonly Action<Exception>? _onError;
    private readonly Action? _onCompleted;
    private readonly AsyncHandlerOptions _options;
    private readonly IScheduler _scheduler;
    private readonly Action<T>? _handledCallback;
    private readonly DropIncomingQueue<T> _queue;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SingleAssignmentDisposable _upstream = new();
    private readonly DropCounter _drops;

    // Deferred acknowledgements of the durable cursor, each with the number of the queued item it belongs to (items are
    // numbered as they are queued and as they are taken, so no entry is needed for items without one).
    private readonly Queue<(long Item, JetstreamDeferredAck Ack)> _acks = new();
    private readonly CursorSaver? _directSaver;
    private CursorSaver? _saver;
    private long _queuedCount;
    private long _takenCount;
    private Exception? _error;
    private long _handled;
    private int _wip;
    private volatile bool _done;
    private volatile bool _stopped;

    public AsyncHandlerSubscription(
        HandlerCall<T> handler,
        Action<Exception>? onError,
        Action? onCompleted,
        AsyncHandlerOptions options,
        int capacity,
        IScheduler scheduler,
        IDropIncomingMonitor<T>? monitor,
        Action<T>? handled = null,
        long byteLimit = long.MaxValue,
        CursorSaver? saver = null)
    {
        _handledCallback = handled;
        _directSaver = saver;
        _handler = handler.Single;
        _batchHandler = handler.Batch;
        _maxBatch = handler.MaxBatchSize;
        _onError = onError;
        _onCompleted = onCompleted;
        _options = options;
        _scheduler = scheduler;
        _drops = new DropCounter(monitor, options.Dropped, options.DropsEnded);
        _queue = new DropIncomingQueue<T>(capacity, _drops, null, byteLimit, byteLimit == long.MaxValue ? null : EventSize.For<T>());
    }

    public override long Handled => Interlocked.Read(ref _handled);

    public override long Dropped => Interlocked.Read(ref _drops.Count);

    public override int Queued => _queue.Count;

    /// <inheritdoc />
    public bool IsFull => _queue.IsFull;

    /// <inheritdoc />
    public bool TryDropIncoming(JetstreamEvent header) => !_done && !_stopped && header is T item && _queue.TryDropIncoming(item);

    public override Task Completion => _completion.Task;

    public void SetUpstream(IDisposable upstream) => _upstream.Disposable = upstream;

    /// <summary>The saver of the stream the source subscribed to, if it said: the final save to wait for.</summary>
    public void SubscribedTo(CursorSaver? saver)
    {
        if (saver is null)
        {
            return;
        }

        lock (_acks)
        {
            _saver ??= saver;
        }
    }

    public void OnNext(T value)
    {
        if (_done || _stopped)
        {
            return;
        }

        // Behind any synchronous LINQ on a Connect stream with a durable cursor: the cursor waits for the handler.
        var ack = _handledCallback is null ? JetstreamAck.Defer() : null;
        bool queued;
        if (ack is null)
        {
            queued = _queue.TryEnqueue(value);
            if (queued)
            {
                _queuedCount++;
            }
        }
        else
        {
            // Queued and recorded under the lock TakeAck takes: the drain loop may dequeue the item the moment it is
            // queued, and must then find its acknowledgement, or the entry would sit at the head of _acks for good.
            lock (_acks)
            {
                _saver ??= ack.Saver;
                queued = _queue.TryEnqueue(value);
                if (queued)
                {
                    _acks.Enqueue((_queuedCount++, ack));
                }
            }
        }

        if (queued)
        {
            // Inside a producer's batch (#16) the wake waits for the batch to close: one drain per burst, not per item.
            if (!DeliveryBatch.TryDefer(this))
            {
                Schedule();
            }
        }
        else
        {
            // Dropped: never handled, and the cursor may move past it, as for any event a full buffer drops.
            ack?.Acknowledge();
        }
    }

    /// <summary>The deferred acknowledgement of the item taken now, if it has one.</summary>
    private JetstreamDeferredAck? TakeAck()
    {
        var item = _takenCount++;
        lock (_acks)
        {
            return _acks.TryPeek(out var head) && head.Item == item ? _acks.Dequeue().Ack : null;
        }
    }

    public void OnError(Exception error)
    {
        if (_done)
        {
            return;
        }

        _error = error;
        _done = true;
        Schedule();
    }

    public void OnCompleted()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        Schedule();
    }

    protected override void Dispose(bool disposing)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _upstream.Dispose();
        _cts.Cancel();

        // When no drain loop runs, finish here; otherwise the loop sees _stopped and finishes after the running handler returns.
        if (Interlocked.Increment(ref _wip) == 1)
        {
            Finish();
        }
    }

    /// <inheritdoc />
    public void Wake() => Schedule();

    private void Schedule()
    {
        if (Interlocked.Increment(ref _wip) == 1)
        {
            _scheduler.Schedule(this, static (scheduler, self) =>
            {
                _ = self.DrainGuardedAsync();
                return Disposable.Empty;
            });
        }
    }

    /// <summary>
    /// The drain loop's task is discarded, so nothing may escape it: a callback that throws (<c>onError</c>,
    /// <c>onCompleted</c>, <see cref="AsyncHandlerOptions.HandlerFailed"/>, the cursor's delivery hook) ends the
    /// subscription and faults <see cref="Completion"/> with that exception instead of leaving it pending forever.
    /// </summary>
    private async Task DrainGuardedAsync()
    {
        try
        {
            await DrainAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A callback's failure is moved to Completion: there is no caller to throw it to.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(ex);
        }
    }

    private void Fail(Exception error)
    {
        _stopped = true;
        _upstream.Dispose();
        _cts.Cancel();
        _queue.Clear();
        _completion.TrySetException(error);
    }

    private async Task DrainAsync()
    {
        var missed = 1;
        while (true)
        {
            while (true)
            {
                if (_stopped)
                {
                    Finish();
                    return;
                }

                var done = _done;
                if (_batchHandler is not null)
                {
                    if (TakeBatch() is { } batch)
                    {
                        if (!await HandleBatchAsync(batch).ConfigureAwait(false))
                        {
                            return;
                        }

                        continue;
                    }
                }
                else if (_queue.TryDequeue(out var item))
                {
                    var ack = TakeAck();
                    Exception? failure = null;
                    try
                    {
                        await _handler!(item, _cts.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (_stopped)
                    {
                        ack?.Abandon();
                        Finish();
                        return;
                    }
#pragma warning disable CA1031 // The handler is user code; its failure is reported, never thrown into the drain loop.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        failure = ex;
                    }

                    Interlocked.Increment(ref _handled);
                    if (failure is not null && !HandleFailure(failure, ack))
                    {
                        return;
                    }

                    // Finished (or given up on under Continue): the durable cursor may move past it.
                    _handledCallback?.Invoke(item);
                    ack?.Acknowledge();

                    continue;
                }

                if (done)
                {
                    _stopped = true;
                    if (_error is { } error)
                    {
                        ReportError(error);
                    }
                    else
                    {
                        _onCompleted?.Invoke();
                    }

                    Finish();
                    return;
                }

                break;
            }

            missed = Interlocked.Add(ref _wip, -missed);
            if (missed == 0)
            {
                return;
            }
        }
    }

    /// <summary>What is queued now, up to the batch size, with the items' acknowledgements; null when nothing is.</summary>
    private (T[] Items, JetstreamDeferredAck?[] Acks)? TakeBatch()
    {
        var count = Math.Min(_queue.Count, _maxBatch);
        if (count == 0 || !_queue.TryDequeue(out var first))
        {
            return null;
        }

        var items = new List<T>(Math.Max(count, 1)) { first };
        var acks = new List<JetstreamDeferredAck?>(items.Capacity) { TakeAck() };
        while (items.Count < _maxBatch && _queue.TryDequeue(out var next))
        {
            items.Add(next);
            acks.Add(TakeAck());
        }

        return ([.. items], [.. acks]);
    }

    /// <returns>Whether the drain loop goes on.</returns>
    private async Task<bool> HandleBatchAsync((T[] Items, JetstreamDeferredAck?[] Acks) batch)
    {
        Exception? failure = null;
        try
        {
            await _batchHandler!(batch.Items, _cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopped)
        {
            AbandonFirst(batch.Acks);
            Finish();
            return false;
        }
#pragma warning disable CA1031 // The handler is user code; its failure is reported, never thrown into the drain loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        Interlocked.Add(ref _handled, batch.Items.Length);
        if (failure is not null && !HandleFailure(failure, Array.Find(batch.Acks, a => a is not null)))
        {
            return false;
        }

        // The whole batch is finished (or given up on under Continue): the durable cursor may move past it.
        for (var i = 0; i < batch.Items.Length; i++)
        {
            _handledCallback?.Invoke(batch.Items[i]);
            batch.Acks[i]?.Acknowledge();
        }

        return true;
    }

    /// <summary>
    /// Stops taking items (the source is unsubscribed), lets the handler finish what is queued as if the source had
    /// completed, and waits for <see cref="Completion"/>; when <paramref name="cancellationToken"/> is cancelled first,
    /// disposes instead (the running handler's token is cancelled, the rest discarded).
    /// </summary>
    public override async Task DrainAsync(CancellationToken cancellationToken)
    {
        _upstream.Dispose();
        OnCompleted();
        try
        {
            await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Dispose();
            await Completion.ConfigureAwait(false);
        }
    }

    /// <returns>Whether the drain loop goes on.</returns>
    private bool HandleFailure(Exception failure, JetstreamDeferredAck? ack)
    {
        var stop = _options.OnHandlerError == HandlerErrorBehavior.Stop;
        try
        {
            _options.Logger?.HandlerFailed(stop ? "stops" : "continues", failure);
        }
#pragma warning disable CA1031 // A failing log provider must not change what happens to the stream.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        _options.HandlerFailed?.Invoke(failure);
        if (!stop)
        {
            return true;
        }

        _stopped = true;
        _upstream.Dispose();
        _cts.Cancel();

        // The failed item is not finished: on a shared stream the others go on, and the cursor stays before it.
        ack?.Abandon();
        ReportError(failure);
        Finish();
        return false;
    }

    private void ReportError(Exception error)
    {
        if (_onError is not null)
        {
            _onError(error);
            return;
        }

        // Like Rx's Subscribe without onError: an unhandled error is raised, not swallowed, on the scheduler.
        _scheduler.Schedule(error, static (_, e) =>
        {
            ExceptionDispatchInfo.Throw(e);
            return Disposable.Empty;
        });
    }

    private void Finish()
    {
        // The token source is not disposed: a handler may still hold its token, and without timers it holds nothing.
        _queue.Clear();
        CursorSaver? saver;
        lock (_acks)
        {
            // Items still queued were not handled: their acknowledgements are never given, so the cursor stays before them.
            // The earliest is abandoned, not just forgotten: on a shared (Publish) stream the other observers go on, and
            // the ledger then keeps the cursor before it in constant memory instead of recording every later event.
            if (_acks.TryPeek(out var first))
            {
                first.Ack.Abandon();
            }

            _acks.Clear();
            saver = _directSaver ?? _saver;
        }

        if (saver is null)
        {
            _completion.TrySetResult();
            return;
        }

        // The stream has stopped (it ended, or the upstream was disposed): complete after its final cursor save.
        _ = CompleteAfterFinalSaveAsync(saver);
    }

    private static void AbandonFirst(JetstreamDeferredAck?[] acks) => Array.Find(acks, a => a is not null)?.Abandon();

    private async Task CompleteAfterFinalSaveAsync(CursorSaver saver)
    {
        if (await saver.WhenStoppedAndSavedAsync(CancellationToken.None).ConfigureAwait(false) is { } failure)
        {
            _completion.TrySetException(new JetstreamCursorStoreException("The final save of the durable cursor failed; the last handled event's cursor is not stored.", failure));
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    /// <summary>Counts drops for <see cref="Dropped"/> and passes every report on to the stream's monitor, if any.</summary>
    private sealed class DropCounter(IDropIncomingMonitor<T>? next, Action<bool>? dropped, Action<long>? ended) : IDropIncomingMonitor<T>
    {
        public long Count;

        public void DepthChanged(int delta, long bytes) => next?.DepthChanged(delta, bytes);

        public void Dropped(T item, bool firstInEpisode, int capacity)
        {
            Interlocked.Increment(ref Count);
            next?.Dropped(item, firstInEpisode, capacity);
            dropped?.Invoke(firstInEpisode);
        }

        public void EpisodeEnded(long count)
        {
            next?.EpisodeEnded(count);
            ended?.Invoke(count);
        }
    }
}
