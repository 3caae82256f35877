using System.Reactive.Concurrency;

namespace Jetstream.Reactive.Buffering;

/// <summary>
/// The sink of <see cref="Linq.JetstreamOperators.DropIncomingWhenFull{T}(IObservable{T}, int, IScheduler, Action{T}?)"/>:
/// the producer only queues (never waits); a drain loop on the scheduler delivers items in order, one at a time, then the
/// terminal notification after the last queued item. A work-in-progress counter serialises the loop without a lock
/// around <c>OnNext</c> (the shape of Rx's <c>ScheduledObserver</c>).
/// </summary>
internal sealed class DropIncomingObserver<T> : IObserver<T>, IDisposable, IDeferredWake, IIncomingDropTarget
{
    private readonly IObserver<T> _downstream;
    private readonly IScheduler _scheduler;
    private readonly DropIncomingQueue<T> _queue;
    private static readonly Func<IScheduler, DropIncomingObserver<T>, IDisposable> DrainAction = static (_, self) =>
    {
        self.Drain();
        return System.Reactive.Disposables.Disposable.Empty;
    };
    private IDisposable? _upstream;
    private Exception? _error;
    private volatile bool _done;
    private volatile bool _disposed;
    private int _wip;

    public DropIncomingObserver(IObserver<T> downstream, IScheduler scheduler, DropIncomingQueue<T> queue)
    {
        _downstream = downstream;
        _scheduler = scheduler;
        _queue = queue;
    }

    public void SetUpstream(IDisposable upstream)
    {
        if (Interlocked.CompareExchange(ref _upstream, upstream, null) is not null || _disposed)
        {
            upstream.Dispose();
        }
    }

    public void OnNext(T value)
    {
        if (_done || _disposed)
        {
            return;
        }

        // Inside a producer's batch (#16) the wake waits for the batch to close: one drain per burst, not per item.
        if (_queue.TryEnqueue(value) && !DeliveryBatch.TryDefer(this))
        {
            Schedule();
        }
    }

    /// <inheritdoc />
    public void Wake() => Schedule();

    /// <inheritdoc />
    public bool IsFull => _queue.IsFull;

    /// <inheritdoc />
    public bool TryDropIncoming(JetstreamEvent header) => !_done && !_disposed && header is T item && _queue.TryDropIncoming(item);

    public void OnError(Exception error)
    {
        if (_done)
        {
            return;
        }

        _error = error;
        _done = true;
        ReleaseUpstream();
        Schedule();
    }

    public void OnCompleted()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        ReleaseUpstream();
        Schedule();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReleaseUpstream();
        if (Interlocked.Increment(ref _wip) == 1)
        {
            _queue.Clear();
        }
    }

    /// <summary>Unsubscribes from the source once (it is finished, or we are disposed).</summary>
    private void ReleaseUpstream() => Interlocked.Exchange(ref _upstream, NoopDisposable.Instance)?.Dispose();

    private void Schedule()
    {
        if (Interlocked.Increment(ref _wip) == 1)
        {
            _scheduler.Schedule(this, DrainAction);
        }
    }

    private void Drain()
    {
        var missed = 1;
        while (true)
        {
            while (true)
            {
                if (_disposed)
                {
                    _queue.Clear();
                    return;
                }

                // Read "done" before trying the queue: an empty queue after a completed upstream is final.
                var done = _done;
                if (_queue.TryDequeue(out var item))
                {
                    _downstream.OnNext(item);
                    continue;
                }

                if (done)
                {
                    _disposed = true;
                    if (_error is { } error)
                    {
                        _downstream.OnError(error);
                    }
                    else
                    {
                        _downstream.OnCompleted();
                    }

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

    private sealed class NoopDisposable : IDisposable
    {
        public static readonly NoopDisposable Instance = new();

        public void Dispose()
        {
        }
    }
}
