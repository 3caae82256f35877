using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Resume;

namespace Jetstream.Reactive.Buffering;

/// <summary>
/// Builds the two buffers every stream uses: the drop-incoming buffer in front of an observer, and the async handler's
/// queue. The public operators (<see cref="JetstreamOperators"/>) and <see cref="JetstreamObservable.Connect"/> both call
/// here, so neither calls the other.
/// </summary>
internal static class BufferedStreams
{
    public static IObservable<T> DropIncomingWhenFull<T>(IObservable<T> source, int capacity, IScheduler scheduler, IDropIncomingMonitor<T>? monitor, Action<T>? onDropped, long byteLimit = long.MaxValue) =>
        Observable.Create<T>(observer =>
        {
            var queue = new DropIncomingQueue<T>(capacity, monitor, onDropped, byteLimit, byteLimit == long.MaxValue ? null : EventSize.For<T>());
            var sink = new DropIncomingObserver<T>(observer, scheduler, queue);
            AttachToReader(monitor, sink);
            sink.SetUpstream(source.Subscribe(sink));
            return sink;
        });

    public static AsyncSubscription SubscribeAsync<T>(
        IObservable<T> source,
        HandlerCall<T> handler,
        Action<Exception>? onError,
        Action? onCompleted,
        AsyncHandlerOptions options,
        int capacity,
        IScheduler scheduler,
        IDropIncomingMonitor<T>? monitor,
        Action<T>? handled = null,
        long byteLimit = long.MaxValue,
        CursorSaver? saver = null)
    {
        var subscription = new AsyncHandlerSubscription<T>(handler, onError, onCompleted, options, capacity, scheduler, monitor, handled, byteLimit, saver);
        AttachToReader(monitor, subscription);
        _ = DeliveryLedger.TakeSubscribed();
        var upstream = source.Subscribe(subscription);

        // A Connect stream subscribed synchronously behind LINQ: its final save is awaited even if no event gets here.
        subscription.SubscribedTo(DeliveryLedger.TakeSubscribed());
        subscription.SetUpstream(upstream);
        return subscription;
    }

    /// <summary>
    /// A buffer whose monitor is a session's <see cref="OverflowGate"/> is fed by that session's reader directly (the
    /// stream's own buffer, or the async handler's queue in its place): the reader may then drop into it before decoding.
    /// </summary>
    private static void AttachToReader<T>(IDropIncomingMonitor<T>? monitor, IIncomingDropTarget target)
    {
        if (monitor is OverflowGate gate && typeof(T) == typeof(JetstreamEvent))
        {
            gate.Attach(target);
        }
    }
}
