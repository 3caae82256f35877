namespace Jetstream.Reactive.Linq;

/// <summary>What <see cref="JetstreamOperators.SubscribeAsync{T}(IObservable{T}, Func{T, CancellationToken, Task}, Action{Exception}?, Action?, AsyncHandlerOptions?)"/> does when the handler throws.</summary>
public enum HandlerErrorBehavior
{
    /// <summary>End the subscription: unsubscribe from the source, discard queued items and report the exception to <c>onError</c>.</summary>
    Stop,

    /// <summary>
    /// Report the exception (<see cref="AsyncHandlerOptions.HandlerFailed"/>, the logger) and go on with the next item.
    /// The failed item counts as handled: on <see cref="JetstreamObservable.Connect"/> with a
    /// <see cref="JetstreamOptions.CursorStore"/>, the saved cursor moves past it and a restart does not retry it.
    /// </summary>
    Continue,
}
