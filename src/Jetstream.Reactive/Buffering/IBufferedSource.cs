using Jetstream.Reactive.Linq;

namespace Jetstream.Reactive.Buffering;

/// <summary>A source whose own bounded buffer an async handler can take over (the stream <see cref="JetstreamObservable.Connect"/> returns).</summary>
internal interface IBufferedSource<T> : IObservable<T>
{
    AsyncSubscription SubscribeAsync(HandlerCall<T> handler, Action<Exception>? onError, Action? onCompleted, AsyncHandlerOptions options);
}
