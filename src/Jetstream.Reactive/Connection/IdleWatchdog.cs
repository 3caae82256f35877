using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace Jetstream.Reactive.Connection;

/// <summary>
/// The data-silence watchdog of one attempt, on the scheduler: every received fragment marks activity, and when nothing
/// arrived for the timeout it calls <c>expired</c> (which cancels the attempt). The transport's keep-alive pings are the
/// other half of liveness: they catch a peer that stops answering even when silence is allowed.
/// </summary>
internal sealed class IdleWatchdog : IDisposable
{
    private readonly IScheduler _scheduler;
    private readonly Action _expired;
    private readonly SerialDisposable _timer = new();
    private long _lastActivityTicks;
    private volatile bool _disposed;
    private volatile bool _expiredFlag;

    /// <param name="scheduler">The scheduler that runs the checks and gives the time.</param>
    /// <param name="timeout">The silence allowed; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="expired">Called once when the silence lasted the timeout.</param>
    public IdleWatchdog(IScheduler scheduler, TimeSpan timeout, Action expired)
    {
        _scheduler = scheduler;
        Timeout = timeout;
        _expired = expired;
    }

    /// <summary>The silence allowed.</summary>
    public TimeSpan Timeout { get; private set; }

    /// <summary>Whether the silence lasted the timeout.</summary>
    public bool Expired => _expiredFlag;

    /// <summary>The time of the last activity, in ticks since the unix epoch.</summary>
    public long LastActivityTicks => Volatile.Read(ref _lastActivityTicks);

    /// <summary>Marks activity now; returns the scheduler's time in ticks since the unix epoch.</summary>
    public long Touch()
    {
        var now = _scheduler.Now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        Volatile.Write(ref _lastActivityTicks, now);
        return now;
    }

    /// <summary>Starts watching, from the last activity.</summary>
    public void Start() => Schedule(Timeout);

    /// <summary>From now on, silence is allowed (a filtered stream may be quiet for hours).</summary>
    public void Disable()
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        _timer.Disposable = Disposable.Empty;
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }

    private void Schedule(TimeSpan due)
    {
        if (Timeout == System.Threading.Timeout.InfiniteTimeSpan || _disposed)
        {
            return;
        }

        // The check's own slot entry goes in before it is scheduled: a check due almost at once may run (and arm the next
        // one) before Schedule returns here, and storing this handle after that would disarm the watchdog for good.
        var check = new SingleAssignmentDisposable();
        _timer.Disposable = check;
        check.Disposable = _scheduler.Schedule(this, due, static (_, self) =>
        {
            self.Check();
            return Disposable.Empty;
        });
    }

    private void Check()
    {
        if (_disposed || Timeout == System.Threading.Timeout.InfiniteTimeSpan)
        {
            return;
        }

        var idle = (_scheduler.Now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) - LastActivityTicks;
        if (idle >= Timeout.Ticks)
        {
            _expiredFlag = true;
            _expired();
            return;
        }

        Schedule(TimeSpan.FromTicks(Timeout.Ticks - idle));
    }
}
