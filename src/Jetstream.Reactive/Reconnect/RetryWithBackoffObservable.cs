using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using Jetstream.Reactive.Linq;

namespace Jetstream.Reactive.Reconnect;

/// <summary>
/// Resubscribes to the source after each retryable error, waiting <see cref="BackoffPolicy.GetDelay"/> on the scheduler.
/// The retry count goes back to zero at the first item after a resubscription (progress), so a connection that worked
/// for an hour and then dropped retries quickly. What to do after an error is the policy's <see cref="ReconnectDecision"/>,
/// handed back to <c>onRetry</c> with the retry.
/// </summary>
internal sealed class RetryWithBackoffObservable<T> : IObservable<T>
{
    private readonly IObservable<T> _source;
    private readonly BackoffPolicy _policy;
    private readonly Func<Exception, ReconnectDecision> _decide;
    private readonly IScheduler _scheduler;
    private readonly Action<RetryAttempt, ReconnectDecision>? _onRetry;

    public RetryWithBackoffObservable(IObservable<T> source, BackoffPolicy policy, Func<Exception, ReconnectDecision> decide, IScheduler scheduler, Action<RetryAttempt, ReconnectDecision>? onRetry)
    {
        _source = source;
        _policy = policy;
        _decide = decide;
        _scheduler = scheduler;
        _onRetry = onRetry;
    }

    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var sink = new Sink(this, observer);
        sink.SubscribeSource();
        return sink;
    }

    private sealed class Sink : IObserver<T>, IDisposable
    {
        private readonly RetryWithBackoffObservable<T> _parent;
        private readonly IObserver<T> _downstream;
        private readonly SerialDisposable _current = new();
        private int _failures;
        private bool _progressSinceSubscribe;
        private volatile bool _stopped;

        public Sink(RetryWithBackoffObservable<T> parent, IObserver<T> downstream)
        {
            _parent = parent;
            _downstream = downstream;
        }

        public void SubscribeSource()
        {
            _progressSinceSubscribe = false;
            var inner = new SingleAssignmentDisposable();
            _current.Disposable = inner;
            inner.Disposable = _parent._source.Subscribe(this);
        }

        public void OnNext(T value)
        {
            if (_stopped)
            {
                return;
            }

            if (!_progressSinceSubscribe)
            {
                _progressSinceSubscribe = true;
                _failures = 0;
            }

            _downstream.OnNext(value);
        }

        public void OnError(Exception error)
        {
            if (_stopped)
            {
                return;
            }

            ReconnectDecision decision;
            try
            {
                decision = _parent._decide(error);
            }
#pragma warning disable CA1031 // A throwing predicate must end the stream, not escape into the source.
            catch (Exception predicateError)
#pragma warning restore CA1031
            {
                Stop();
                _downstream.OnError(new AggregateException(error, predicateError));
                return;
            }

            if (decision.Timing == ReconnectTiming.Stop)
            {
                Stop();
                _downstream.OnError(error);
                return;
            }

            try
            {
                var atOnce = decision.Timing == ReconnectTiming.Now;
                var attempt = atOnce ? _failures : _failures++;
                var delay = atOnce ? TimeSpan.Zero : _parent._policy.GetDelay(attempt, _parent._policy.NextRandom());
                _parent._onRetry?.Invoke(new RetryAttempt(attempt + 1, delay, error), decision);

                // The wait replaces the dead subscription in the serial slot, so disposing the sink cancels either. The
                // slot takes the wait's own container before it is scheduled: the scheduler may run the resubscription
                // (on a pool thread, before Schedule has returned here), and storing the wait's handle in the slot
                // afterwards would then dispose the new connection, leaving the stream silent with no error and no retry.
                var wait = new SingleAssignmentDisposable();
                _current.Disposable = wait;
                wait.Disposable = _parent._scheduler.Schedule(this, delay, static (_, self) =>
                {
                    if (!self._stopped)
                    {
                        self.SubscribeSource();
                    }

                    return Disposable.Empty;
                });
            }
#pragma warning disable CA1031 // A throwing Randomizer or onRetry, or a disposed scheduler, must end the stream visibly, not silently.
            catch (Exception retryError)
#pragma warning restore CA1031
            {
                Stop();
                _downstream.OnError(new AggregateException("The retry could not be scheduled; the stream ends with the connection's error and the retry's.", error, retryError));
            }
        }

        public void OnCompleted()
        {
            if (_stopped)
            {
                return;
            }

            Stop();
            _downstream.OnCompleted();
        }

        public void Dispose() => Stop();

        private void Stop()
        {
            _stopped = true;
            _current.Dispose();
        }
    }
}
