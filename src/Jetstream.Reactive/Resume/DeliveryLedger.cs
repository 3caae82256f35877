namespace Jetstream.Reactive.Resume;

/// <summary>
/// The acknowledgement channel between a stream's delivery and the durable cursor. An event is handled when the
/// observer's <c>OnNext</c> returned and every <see cref="JetstreamDeferredAck"/> taken during that call (by
/// <c>SubscribeAsync</c> behind any synchronous LINQ, or by a caller of <see cref="JetstreamAck.Defer"/>) was
/// acknowledged. The cursor moves in delivery order only: past an event when it and every earlier one are handled, so
/// a later event that a <c>Where</c> filtered out cannot carry the cursor past one still waiting for a handler.
/// </summary>
internal sealed class DeliveryLedger(CursorSaver saver)
{
    // Only the current delivery's thread reads this: the operators between the stream and a deferring observer are synchronous.
    [ThreadStatic]
    private static Delivery? t_current;

    private readonly Lock _gate = new();

    // Deliveries not yet handled, or handled behind one that is not; empty in the common case (nothing deferred).
    private readonly Queue<Delivery> _open = new();

    // The earliest delivery whose hold was abandoned (its observer left without finishing it): the cursor never reaches
    // it, so later deliveries are not queued at all and the ledger stays in constant memory until the stream ends.
    private Delivery? _floor;

    // The saver of the last Connect stream subscribed on this thread with a ledger: SubscribeAsync reads it after
    // subscribing its source, so it can wait for the final save even if no event ever reaches it (a Where matched none).
    [ThreadStatic]
    private static CursorSaver? t_subscribed;

    /// <summary>Notes that a stream with this ledger was subscribed on this thread (see <see cref="TakeSubscribed"/>).</summary>
    public void Subscribed() => t_subscribed = saver;

    /// <summary>The saver of the last stream subscribed on this thread since the previous call, if any; clears it.</summary>
    internal static CursorSaver? TakeSubscribed()
    {
        var subscribed = t_subscribed;
        t_subscribed = null;
        return subscribed;
    }

    /// <summary>The delivery whose <c>OnNext</c> is running on this thread, if any.</summary>
    internal static Delivery? Current => t_current;

    /// <summary>The saver this ledger feeds, for the final-save wait.</summary>
    public CursorSaver Saver => saver;

    /// <summary>How many deliveries wait to be settled (for tests: it stays bounded once a hold is abandoned).</summary>
    internal int OpenCount
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>
    /// Starts the delivery of <paramref name="e"/> on this thread: until <see cref="EndCall"/>, a
    /// <see cref="JetstreamAck.Defer"/> on this thread holds it. The caller runs the observer's <c>OnNext</c> in between
    /// (the ledger never calls the observer, so a deferring observer calling back into it is no cycle), then calls
    /// <see cref="Returned"/> once <c>OnNext</c> returned normally.
    /// </summary>
    public Delivery Begin(JetstreamEvent e, out Delivery? previous)
    {
        var delivery = new Delivery(this, e);
        previous = t_current;
        t_current = delivery;
        return delivery;
    }

    /// <summary>Ends the <c>OnNext</c> call begun with <see cref="Begin"/>, whether or not it threw.</summary>
    public static void EndCall(Delivery? previous) => t_current = previous;

    /// <summary>Takes over the acknowledgement of <paramref name="delivery"/>: it is not handled until the hold is released.</summary>
    internal void Hold(Delivery delivery)
    {
        lock (_gate)
        {
            if (!delivery.Queued && _floor is null)
            {
                delivery.Queued = true;
                _open.Enqueue(delivery);
            }

            delivery.Holds++;
        }
    }

    /// <summary>A hold on <paramref name="delivery"/> was acknowledged.</summary>
    internal void Release(Delivery delivery)
    {
        lock (_gate)
        {
            delivery.Holds--;
            Settle();
        }
    }

    /// <summary>
    /// A hold on <paramref name="delivery"/> will never be acknowledged (its observer left, disposed or stopped by a
    /// handler error, before finishing it): the cursor stays before it for the rest of the stream. What is after it can
    /// never be saved, so it is forgotten, and later deliveries are not recorded.
    /// </summary>
    internal void Abandon(Delivery delivery)
    {
        lock (_gate)
        {
            if (!delivery.Queued || delivery.Abandoned)
            {
                // Not recorded: already behind an earlier floor.
                return;
            }

            delivery.Abandoned = true;
            _floor = delivery;
            var count = _open.Count;
            for (var i = 0; i < count; i++)
            {
                var open = _open.Dequeue();
                _open.Enqueue(open);
                if (ReferenceEquals(open, delivery))
                {
                    // Keep what is before the floor (other observers may still finish it); drop what is after.
                    for (var j = i + 1; j < count; j++)
                    {
                        _open.Dequeue();
                    }

                    break;
                }
            }
        }
    }

    /// <summary>The observer's <c>OnNext</c> for <paramref name="delivery"/> returned: settle it.</summary>
    public void Returned(Delivery delivery)
    {
        lock (_gate)
        {
            delivery.Holds--;
            if (_floor is not null && !delivery.Queued)
            {
                // Behind an abandoned delivery: the cursor cannot move past it, so there is nothing to record.
                return;
            }

            if (!delivery.Queued)
            {
                if (_open.Count == 0)
                {
                    // Nothing deferred before it: handled now, as when the observer's OnNext returns.
                    saver.Handled(delivery.Event);
                    return;
                }

                delivery.Queued = true;
                _open.Enqueue(delivery);
            }

            Settle();
        }
    }

    // Under _gate: the cursor moves to the last of the handled deliveries at the front.
    private void Settle()
    {
        JetstreamEvent? last = null;
        while (_open.TryPeek(out var head) && head.Holds == 0 && !head.Abandoned)
        {
            _open.Dequeue();
            last = head.Event;
        }

        if (last is not null)
        {
            saver.Handled(last);
        }
    }

    /// <summary>One event's delivery: the <c>OnNext</c> call holds it once, each deferred acknowledgement once more.</summary>
    internal sealed class Delivery(DeliveryLedger ledger, JetstreamEvent e)
    {
        public DeliveryLedger Ledger { get; } = ledger;

        public JetstreamEvent Event { get; } = e;

        // Guarded by the ledger's gate.
        public int Holds { get; set; } = 1;

        public bool Queued { get; set; }

        // Guarded by the ledger's gate: one of its holds will never be released.
        public bool Abandoned { get; set; }
    }
}
