using Jetstream.Reactive.Resume;

namespace Jetstream.Reactive;

/// <summary>
/// The acknowledgement channel of the durable cursor (<see cref="JetstreamOptions.CursorStore"/>): lets an observer
/// that finishes an event later than its <c>OnNext</c> returns (it queues the event for a worker) hold the cursor back
/// until the work is done. <c>SubscribeAsync</c> uses it, so the cursor moves only past events its handler finished,
/// whether or not LINQ operators sit between <see cref="JetstreamObservable.Connect"/> and it.
/// </summary>
/// <remarks>
/// Call <see cref="Defer"/> inside <c>OnNext</c>, on the thread that calls it. Synchronous operators (<c>Where</c>,
/// <c>Select</c>, <c>OfType</c>, <c>Publish</c>) between the stream and the observer keep that thread; an operator that
/// hands the event to another thread or holds it (<c>ObserveOn</c>, <c>Buffer</c>, <c>Delay</c>) does not, and
/// <see cref="Defer"/> called later returns <see langword="null"/>: such an event counts as handled when the operator
/// took it. Events that a <c>Where</c> filters out are handled when <c>OnNext</c> returns, but the cursor never moves
/// past an earlier event whose acknowledgement is still deferred.
/// </remarks>
public static class JetstreamAck
{
    /// <summary>
    /// Takes over the acknowledgement of the event being delivered on this thread: the durable cursor does not move
    /// past it until <see cref="JetstreamDeferredAck.Acknowledge"/> is called. Several observers (a published stream)
    /// may each defer the same event; it is handled when all have acknowledged it.
    /// </summary>
    /// <returns>
    /// The acknowledgement to call when the work is done; <see langword="null"/> when no durable cursor follows this
    /// delivery (no <see cref="JetstreamOptions.CursorStore"/>, not inside a <see cref="JetstreamObservable.Connect"/>
    /// stream's <c>OnNext</c>, or after an asynchronous operator).
    /// </returns>
    public static JetstreamDeferredAck? Defer()
    {
        if (DeliveryLedger.Current is not { } delivery)
        {
            return null;
        }

        delivery.Ledger.Hold(delivery);
        return new JetstreamDeferredAck(delivery);
    }
}
