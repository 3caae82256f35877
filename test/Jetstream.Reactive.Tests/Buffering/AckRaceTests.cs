using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Buffering;

/// <summary>
/// A handler on another thread takes items while the source is still queueing them: each item must be taken with its
/// own cursor acknowledgement, or the durable cursor stops moving for good.
/// </summary>
public sealed class AckRaceTests
{
    private const long T0 = 1_779_719_000_000_000;
    private const int Count = 3_000;

    [Test]
    [Repeat(10)]
    public void SubscribeAsync_HandlerOnThreadPoolBehindWhere_CursorReachesTheLastEvent()
    {
        using var h = new Harness();
        var store = new MemoryCursorStore(() => h.Scheduler.Clock);
        h.Options = h.Options with { CursorStore = store, CursorSaveInterval = TimeSpan.FromSeconds(1) };
        using var sub = JetstreamObservable.Connect(h.Options).Where(_ => true).SubscribeAsync(
            (e, ct) => Task.CompletedTask,
            _ => { },
            options: new AsyncHandlerOptions { Scheduler = TaskPoolScheduler.Default, BufferCapacity = 100_000 });
        h.At(Seconds(0.5), () =>
        {
            for (var i = 1; i <= Count; i++)
            {
                h.Transport.Socket(0).SendText(Events.Like(T0 + i, "r" + i));
            }
        });
        h.Scheduler.AdvanceTo(Seconds(0.6));

        Assert.That(SpinWait.SpinUntil(() => sub.Handled == Count, TimeSpan.FromSeconds(30)), "the handler finished every event");

        // The last acknowledgement follows the handled count by a moment: drive the 1 s saves until it is saved (bounded).
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (store.Stored?.Value != T0 + Count && waited.Elapsed < TimeSpan.FromSeconds(2))
        {
            h.Scheduler.AdvanceBy(Seconds(1));
            Thread.Yield();
        }

        Assert.That(store.Stored?.Value, Is.EqualTo(T0 + Count), "the durable cursor reached the last handled event");
    }
}
