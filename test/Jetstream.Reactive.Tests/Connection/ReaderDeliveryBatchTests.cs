using System.Reactive.Concurrency;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Connection;

/// <summary>
/// #16: the reader wakes the buffer's drain loop once per burst it reads without waiting, not once per event the
/// consumer caught up on (the work items behind a fast stream's CPU cost).
/// </summary>
public sealed class ReaderDeliveryBatchTests
{
    [Test]
    public void Connect_BurstReadWithoutWaiting_SchedulesOneDrainForTheBurst()
    {
        using var h = new Harness();
        // Immediate work runs at once (a consumer that is always idle, the worst case); timers stay in virtual time.
        var scheduler = new InlineScheduler(h.Scheduler);
        h.Options = h.Options with { Scheduler = scheduler };
        h.Transport.ThenOpenLater();
        var received = new List<string>();
        using var subscription = JetstreamObservable.Connect(h.Options).Subscribe(e => received.Add(((CommitEvent)e).Commit.RKey));
        h.Scheduler.AdvanceBy(1);
        var socket = h.Transport.Attempts[0].Socket!;
        var rkeys = Enumerable.Range(0, 100).Select(i => "3mmoojp7e" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var rkey in rkeys)
        {
            socket.SendText(Events.Like(Events.RealTimeUs, rkey));
        }

        var before = scheduler.Immediate;
        h.Transport.OpenPending();

        Assert.That(received, Is.EqualTo(rkeys), "every event, in order");
        Assert.That(scheduler.Immediate - before, Is.LessThanOrEqualTo(3), "one drain for the 100 events the reader read without waiting");
    }

    /// <summary>Runs work due now inline (counted); hands work due later to the test scheduler.</summary>
    private sealed class InlineScheduler(TestScheduler timers) : IScheduler
    {
        public int Immediate { get; private set; }

        public DateTimeOffset Now => timers.Now;

        public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action)
        {
            Immediate++;
            return action(this, state);
        }

        public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action) =>
            timers.Schedule(state, dueTime, (_, s) => action(this, s));

        public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
            timers.Schedule(state, dueTime, (_, s) => action(this, s));
    }
}
