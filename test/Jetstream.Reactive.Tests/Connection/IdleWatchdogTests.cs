using System.Reactive.Concurrency;
using Jetstream.Reactive.Connection;
using Microsoft.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Connection;

/// <summary>
/// The watchdog's own timer bookkeeping: the check it schedules next is the one that stays armed, whenever the scheduler
/// runs it (a pool thread may run a check due almost at once before <c>Schedule</c> has returned to the thread that asked).
/// </summary>
public sealed class IdleWatchdogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Test]
    public void Check_NextCheckRunsBeforeScheduleReturns_WatchdogStaysArmed()
    {
        var timers = new TestScheduler();
        var expired = 0;
        IdleWatchdog? watchdog = null;
        var scheduler = new EarlyRunScheduler(timers, beforeEarlyRun: () => watchdog!.Touch());
        watchdog = new IdleWatchdog(scheduler, Timeout, () => expired++);

        // Activity one tick after the start: the first check, at the timeout, finds one tick left and schedules a check
        // due in one tick, which the scheduler runs before Schedule returns (after a message arrived meanwhile); that
        // check re-arms the watchdog for a full timeout.
        watchdog.Touch();
        watchdog.Start();
        timers.AdvanceBy(1);
        watchdog.Touch();
        timers.AdvanceBy(Timeout.Ticks - 1);
        Assert.That(scheduler.EarlyRuns, Is.EqualTo(1), "the interleaving under test happened");

        // Silence from here on: the re-armed check must end the connection one timeout later.
        timers.AdvanceBy(2 * Timeout.Ticks);

        Assert.That(expired, Is.EqualTo(1), "the watchdog was disarmed by the handle of the check that had already run");
        watchdog.Dispose();
    }

    [Test]
    public void Dispose_WhileACheckIsScheduled_NothingFiresLater()
    {
        var timers = new TestScheduler();
        var expired = 0;
        var watchdog = new IdleWatchdog(timers, Timeout, () => expired++);
        watchdog.Touch();
        watchdog.Start();

        watchdog.Dispose();
        timers.AdvanceBy(3 * Timeout.Ticks);

        Assert.That(expired, Is.Zero);
        Assert.That(timers.IsEnabled, Is.False);
    }

    /// <summary>
    /// Runs a check due within one tick inline, inside <c>Schedule</c> (after advancing its clock past the due time and
    /// letting a message arrive), as a pool thread does when the scheduling thread is preempted; all else on the test scheduler.
    /// </summary>
    private sealed class EarlyRunScheduler(TestScheduler timers, Action beforeEarlyRun) : IScheduler
    {
        private long _offset;

        public int EarlyRuns { get; private set; }

        public DateTimeOffset Now => timers.Now.AddTicks(_offset);

        public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action) =>
            timers.Schedule(state, (_, s) => action(this, s));

        public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action)
        {
            if (dueTime.Ticks <= 1 && EarlyRuns == 0)
            {
                EarlyRuns++;
                _offset += dueTime.Ticks;
                beforeEarlyRun();
                action(this, state);
                return System.Reactive.Disposables.Disposable.Empty;
            }

            return timers.Schedule(state, dueTime, (_, s) => action(this, s));
        }

        public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
            timers.Schedule(state, dueTime, (_, s) => action(this, s));
    }
}
