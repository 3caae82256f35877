using Jetstream.Reactive.Resume;

namespace Jetstream.Reactive;

/// <summary>
/// A held acknowledgement from <see cref="JetstreamAck.Defer"/>: the durable cursor waits at its event until
/// <see cref="Acknowledge"/> is called. An acknowledgement never given (the work was abandoned) keeps the cursor before
/// the event, so a restart delivers it again.
/// </summary>
public sealed class JetstreamDeferredAck
{
    private readonly DeliveryLedger.Delivery _delivery;
    private int _acknowledged;

    internal JetstreamDeferredAck(DeliveryLedger.Delivery delivery) => _delivery = delivery;

    /// <summary>The cursor saver of the stream the event came from.</summary>
    internal CursorSaver Saver => _delivery.Ledger.Saver;

    internal DeliveryLedger Ledger => _delivery.Ledger;

    /// <summary>This hold will never be acknowledged: the cursor stays before its event for the rest of the stream.</summary>
    internal void Abandon()
    {
        // 2: given up on, which is not acknowledged (IsAcknowledged stays false), and a later Acknowledge does nothing.
        if (Interlocked.CompareExchange(ref _acknowledged, 2, 0) == 0)
        {
            _delivery.Ledger.Abandon(_delivery);
        }
    }

    /// <summary>Whether <see cref="Acknowledge"/> was called.</summary>
    public bool IsAcknowledged => Volatile.Read(ref _acknowledged) == 1;

    /// <summary>
    /// Waits until the stream this event came from has stopped and its final cursor save has finished (the same as
    /// awaiting <c>DisposeAsync</c> of its subscription): for a worker that must know the cursor is stored before it
    /// exits.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The error of the last save when the last handled cursor could not be stored; otherwise <see langword="null"/>.</returns>
    public Task<Exception?> WhenFinalSaveDoneAsync(CancellationToken cancellationToken = default) =>
        _delivery.Ledger.Saver.WhenStoppedAndSavedAsync(cancellationToken);

    /// <summary>The work on the event is done (successfully or given up on): the cursor may move past it. Once only; later calls do nothing.</summary>
    public void Acknowledge()
    {
        if (Interlocked.CompareExchange(ref _acknowledged, 1, 0) == 0)
        {
            _delivery.Ledger.Release(_delivery);
        }
    }
}
