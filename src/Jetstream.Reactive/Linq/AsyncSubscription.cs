namespace Jetstream.Reactive.Linq;

/// <summary>
/// The subscription <see cref="JetstreamOperators.SubscribeAsync{T}(IObservable{T}, Func{T, CancellationToken, Task}, Action{Exception}?, Action?, AsyncHandlerOptions?)"/>
/// returns: dispose it to stop (the handler's token is cancelled); read its counters; await <see cref="Completion"/>.
/// </summary>
public abstract class AsyncSubscription : IDisposable, IAsyncDisposable
{
    private protected AsyncSubscription()
    {
    }

    /// <summary>Items the handler finished (successfully or not).</summary>
    public abstract long Handled { get; }

    /// <summary>Items dropped because the queue was full.</summary>
    public abstract long Dropped { get; }

    /// <summary>Items waiting for the handler now.</summary>
    public abstract int Queued { get; }

    /// <summary>
    /// Completes when the subscription ends: after the source completed and every queued item was handled, after an
    /// error was reported to <c>onError</c>, or after dispose; on a <see cref="JetstreamObservable.Connect"/> stream with a
    /// <see cref="JetstreamOptions.CursorStore"/>, after the final save of the durable cursor too (it faults with a
    /// <see cref="JetstreamCursorStoreException"/> when that save failed). Errors of the source and the handler go to <c>onError</c>;
    /// <see cref="Completion"/> faults only when a callback itself throws (<c>onError</c>, <c>onCompleted</c>,
    /// <see cref="AsyncHandlerOptions.HandlerFailed"/>, or saving the durable cursor): the subscription then ends
    /// (the source is unsubscribed) and the task carries that exception. A throwing logger is ignored.
    /// </summary>
    public abstract Task Completion { get; }

    /// <summary>
    /// Stops the subscription (as <see cref="Dispose()"/>) and waits for <see cref="Completion"/>: the running handler has
    /// returned and, when the source is a <see cref="JetstreamObservable.Connect"/> stream with a
    /// <see cref="JetstreamOptions.CursorStore"/> (directly or through synchronous LINQ), the final save of the durable
    /// cursor is done. Throws what <see cref="Completion"/> faults with, including a
    /// <see cref="JetstreamCursorStoreException"/> when that final save failed.
    /// </summary>
    /// <returns>A task that completes after the final save.</returns>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await Completion.ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Stops taking items: unsubscribes from the source (on a <see cref="JetstreamObservable.Connect"/> stream, the
    /// connection closes), lets the handler finish what is queued as if the source had completed (<c>onCompleted</c> is
    /// called), and completes with <see cref="Completion"/>, after the final save of the durable cursor. When
    /// <paramref name="cancellationToken"/> is cancelled first, disposes instead: the running handler's token is
    /// cancelled and what is still queued is not handled (and not saved). For a graceful stop with a deadline.
    /// </summary>
    /// <param name="cancellationToken">Gives up on the queued items.</param>
    /// <returns>A task that completes with <see cref="Completion"/>.</returns>
    public abstract Task DrainAsync(CancellationToken cancellationToken);

    /// <summary>Stops the subscription: unsubscribes from the source, cancels the running handler's token, discards queued items.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the subscription.</summary>
    /// <param name="disposing">Always true: there is no finalizer.</param>
    protected abstract void Dispose(bool disposing);
}
