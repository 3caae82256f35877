namespace Jetstream.Reactive.Buffering;

/// <summary>A buffer whose drain loop a <see cref="DeliveryBatch"/> wakes once when the batch closes.</summary>
internal interface IDeferredWake
{
    /// <summary>Wakes the drain loop if it is idle (a running loop picks the queued items up itself).</summary>
    void Wake();
}
