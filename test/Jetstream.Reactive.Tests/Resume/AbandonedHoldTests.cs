using System.Reactive.Disposables;
using System.Reactive.Linq;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Resume;

/// <summary>
/// One handler of a shared (Publish) stream leaves while it still holds events: the cursor never moves to or past the
/// first one it abandoned, and the acknowledgement ledger stays in constant memory while the others go on.
/// </summary>
public sealed class AbandonedHoldTests
{
    private const long T0 = 1_779_719_000_000_000;
    private const int Later = 1_000;

    [TestCase(false, TestName = "SubscribeAsync_OneHandlerOfAPublishedStreamDisposedMidEvent_LedgerStaysBoundedAndCursorStaysBeforeIt")]
    [TestCase(true, TestName = "SubscribeAsync_OneHandlerOfAPublishedStreamStopsOnError_LedgerStaysBoundedAndCursorStaysBeforeIt")]
    public void SubscribeAsync_OneHandlerLeavesAPublishedStream_LedgerStaysBoundedAndCursorStaysBeforeIt(bool stopOnError)
    {
        using var h = new Harness();
        var store = new MemoryCursorStore(() => h.Scheduler.Clock);
        h.Options = h.Options with { CursorStore = store, CursorSaveInterval = TimeSpan.FromSeconds(1) };
        var shared = JetstreamObservable.Connect(h.Options).Publish();

        // A probe that takes and gives back one acknowledgement, to reach the stream's ledger.
        Jetstream.Reactive.Resume.DeliveryLedger? ledger = null;
        using var probe = shared.Subscribe(_ =>
        {
            var ack = JetstreamAck.Defer()!;
            ledger ??= ack.Ledger;
            ack.Acknowledge();
        });
        var fast = shared.SubscribeAsync((e, ct) => Task.CompletedTask, _ => { }, options: new AsyncHandlerOptions { Scheduler = h.Scheduler });

        // The leaving handler finishes events 1 and 2, then on event 3 fails (Stop) or waits until it is disposed.
        var leaving = shared.SubscribeAsync(
            (e, ct) => e.TimeUs != T0 + 3 ? Task.CompletedTask : stopOnError ? throw new InvalidOperationException("boom") : Never(ct),
            _ => { },
            options: new AsyncHandlerOptions { Scheduler = h.Scheduler, OnHandlerError = HandlerErrorBehavior.Stop });
        using var connection = shared.Connect();

        h.At(Seconds(0.5), () =>
        {
            for (var i = 1; i <= 5; i++)
            {
                h.Transport.Socket(0).SendText(Events.Like(T0 + i, "r" + i));
            }
        });
        h.Scheduler.AdvanceTo(Seconds(1.5));
        if (!stopOnError)
        {
            leaving.Dispose();
        }

        Assert.That(leaving.Handled, Is.EqualTo(stopOnError ? 3 : 2), "the leaving handler left on event 3");
        h.At(Seconds(2), () =>
        {
            for (var i = 6; i <= 5 + Later; i++)
            {
                h.Transport.Socket(0).SendText(Events.Like(T0 + i, "r" + i));
            }
        });
        h.Scheduler.AdvanceTo(Seconds(5));

        Assert.That(fast.Handled, Is.EqualTo(5 + Later), "the other handler goes on");
        Assert.That(ledger!.OpenCount, Is.LessThanOrEqualTo(5), "events after the abandoned one are not recorded");
        Assert.That(store.Saves.Select(s => s.Cursor.Value), Has.All.LessThan(T0 + 3), "the cursor never reaches the abandoned event");
        Assert.That(store.Stored?.Value, Is.EqualTo(T0 + 2), "it moved up to the last event every handler finished");
        fast.Dispose();
        leaving.Dispose();
    }

    private static Task Never(CancellationToken ct)
    {
        var tcs = new TaskCompletionSource();
        ct.Register(() => tcs.TrySetCanceled(ct));
        return tcs.Task;
    }
}
