using System.Reactive.Concurrency;

namespace Jetstream.Reactive.Connection;

/// <summary>
/// Coalesces v2 filter changes, each of which needs a new connection: the first reconnects at once, and changes within
/// <see cref="Interval"/> of the last reconnect wait for one reconnect at the end of that interval, which carries the
/// latest filter. A chatty <see cref="JetstreamOptions.FilterUpdates"/> source thus causes at most one reconnect per
/// interval instead of a storm. One gate per session.
/// </summary>
internal sealed class FilterRestartGate
{
    /// <summary>The least time between two reconnects for filter changes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly IScheduler _scheduler;
    private readonly Lock _gate = new();
    private DateTimeOffset? _last;
    private CancellationTokenSource? _latest;
    private bool _pending;

    public FilterRestartGate(IScheduler scheduler) => _scheduler = scheduler;

    /// <summary>
    /// Asks for <paramref name="restart"/> to be cancelled (the attempt that gave it ends its connection): now, or once
    /// the interval has passed. The gate holds a cancellation source, not the attempt, so it never calls the attempt.
    /// </summary>
    public void Request(CancellationTokenSource restart)
    {
        TimeSpan wait;
        lock (_gate)
        {
            // The newest connection's restart replaces an older one's: the older connection may be gone by then.
            _latest = restart;
            if (_pending)
            {
                return;
            }

            var now = _scheduler.Now;
            if (_last is not { } last || now - last >= Interval)
            {
                _last = now;
                _latest = null;
                wait = TimeSpan.Zero;
            }
            else
            {
                _pending = true;
                wait = last + Interval - now;
            }
        }

        if (wait == TimeSpan.Zero)
        {
            Cancel(restart);
            return;
        }

        _scheduler.Schedule(this, wait, static (scheduler, self) =>
        {
            CancellationTokenSource? run;
            lock (self._gate)
            {
                self._pending = false;
                self._last = scheduler.Now;
                run = self._latest;
                self._latest = null;
            }

            if (run is not null)
            {
                Cancel(run);
            }

            return System.Reactive.Disposables.Disposable.Empty;
        });
    }

    private static void Cancel(CancellationTokenSource restart)
    {
        try
        {
            restart.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt already ended and let its source go: nothing to restart.
        }
    }
}
