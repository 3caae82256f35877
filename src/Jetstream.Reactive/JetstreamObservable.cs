using System.Reactive.Linq;
using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Connection;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Resume;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive;

/// <summary>The entry point: Jetstream as an <see cref="IObservable{T}"/> of <see cref="JetstreamEvent"/>.</summary>
public static class JetstreamObservable
{
    /// <summary>
    /// Returns a cold stream of Jetstream events, over protocol v1 or v2 (<see cref="JetstreamOptions.Protocol"/>). Each
    /// subscription opens its own connection and keeps it alive: a lost connection (server close, network error, 5xx,
    /// idle timeout, a v2 <c>error</c> frame) is re-made after a backoff, resuming from the cursor of the last event
    /// <em>queued</em> (read from the socket and passed to the buffer, whether or not the observer has handled it yet),
    /// and the server's replay of already-queued events is skipped. Events still in the buffer survive a reconnect; an
    /// event dropped by a full buffer is not read again. The durable cursor that
    /// <see cref="JetstreamOptions.CursorStore"/> saves is a different position: the last event <em>handled</em>. A rejected request (HTTP 4xx other
    /// than 408/429 and the v2 rejections with a recovery of their own, or a close code that blames the request) ends
    /// the stream with <c>OnError</c>. Disposing the subscription closes the connection.
    /// </summary>
    /// <remarks>
    /// Events reach the observer through a bounded buffer of <see cref="JetstreamOptions.BufferCapacity"/> on
    /// <see cref="JetstreamOptions.Scheduler"/>, so a slow observer never stalls the socket: when the buffer is full,
    /// each further incoming event is dropped and counted. To share one connection among several observers, use
    /// <c>Publish().RefCount()</c>; the retry is inside, so the shared stream survives reconnects.
    /// </remarks>
    /// <param name="options">The settings; validated now.</param>
    /// <returns>
    /// The events. A subscription to this stream itself (not through an operator) is also an
    /// <see cref="IAsyncDisposable"/>: <c>DisposeAsync</c> stops the stream and completes after the final save of the
    /// durable cursor. Through LINQ, use <c>SubscribeAsync</c>, whose <see cref="AsyncSubscription.DisposeAsync"/> does the same.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="JetstreamOptionsException">An option is invalid; the message names each one.</exception>
    public static IObservable<JetstreamEvent> Connect(JetstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new JetstreamStream(options);
    }

    /// <summary>The stream <see cref="Connect"/> returns: a new session per subscription.</summary>
    private sealed class JetstreamStream : IBufferedSource<JetstreamEvent>
    {
        private readonly JetstreamOptions _options;
        private readonly JetstreamMetrics _metrics;
        private readonly ILogger _logger;
        private readonly ZstdDictionaryCache _dictionaries;

        public JetstreamStream(JetstreamOptions options)
        {
            _options = options;
            _metrics = JetstreamMetrics.For(options.MeterFactory);
            _logger = options.LoggerFactory.CreateLogger(JetstreamTelemetry.LoggerCategory);
            _dictionaries = new ZstdDictionaryCache(options.ZstdDictionaryDirectory, _logger);
        }

        public IDisposable Subscribe(IObserver<JetstreamEvent> observer)
        {
            ArgumentNullException.ThrowIfNull(observer);
            var session = NewSession(_options.BufferCapacity, _options.BufferByteLimit);
            IObserver<JetstreamEvent> tracked = observer;
            if (_options.CursorStore is not null)
            {
                var ledger = new DeliveryLedger(session.Saver);
                ledger.Subscribed();
                tracked = new DeliveryTracker(observer, ledger);
            }

            var subscription = BufferedStreams
                .DropIncomingWhenFull(session.Connections(), _options.BufferCapacity, _options.Scheduler, session.Overflow, null, _options.BufferByteLimit)
                .Subscribe(tracked);
            return new StreamSubscription(subscription, session.Saver);
        }

        public AsyncSubscription SubscribeAsync(HandlerCall<JetstreamEvent> handler, Action<Exception>? onError, Action? onCompleted, AsyncHandlerOptions options)
        {
            var capacity = options.BufferCapacity ?? _options.BufferCapacity;
            var byteLimit = options.BufferByteLimit ?? _options.BufferByteLimit;
            var session = NewSession(capacity, byteLimit);
            return BufferedStreams.SubscribeAsync(
                session.Connections(),
                handler,
                onError,
                onCompleted,
                options.Logger is null ? options with { Logger = _logger } : options,
                capacity,
                options.Scheduler ?? _options.Scheduler,
                session.Overflow,
                _options.CursorStore is null ? null : session.Saver.Handled,
                byteLimit,
                _options.CursorStore is null ? null : session.Saver);
        }

        private JetstreamSession NewSession(int capacity, long byteLimit) => new(_options, _metrics, _logger, _dictionaries, capacity, byteLimit);
    }

    /// <summary>
    /// Tells the cursor saver which event the observer has finished, through the acknowledgement channel: when its
    /// <c>OnNext</c> returned and every acknowledgement deferred during it (<see cref="JetstreamAck"/>) was given.
    /// </summary>
    private sealed class DeliveryTracker(IObserver<JetstreamEvent> inner, DeliveryLedger ledger) : IObserver<JetstreamEvent>
    {
        public void OnNext(JetstreamEvent value)
        {
            // The tracker calls both the ledger and the observer: the ledger never calls downstream, so an observer that
            // defers (SubscribeAsync, through JetstreamAck) calls into it without a cycle.
            var delivery = ledger.Begin(value, out var previous);
            try
            {
                inner.OnNext(value);
            }
            finally
            {
                DeliveryLedger.EndCall(previous);
            }

            ledger.Returned(delivery);
        }

        public void OnError(Exception error) => inner.OnError(error);

        public void OnCompleted() => inner.OnCompleted();
    }

    /// <summary>
    /// The subscription <see cref="JetstreamStream.Subscribe"/> returns: disposing stops the stream (the cursor's final
    /// save starts), and <see cref="DisposeAsync"/> also waits for that save.
    /// </summary>
    private sealed class StreamSubscription(IDisposable inner, CursorSaver saver) : IDisposable, IAsyncDisposable
    {
        public void Dispose() => inner.Dispose();

        public async ValueTask DisposeAsync()
        {
            inner.Dispose();
            if (await saver.WhenStoppedAndSavedAsync(CancellationToken.None).ConfigureAwait(false) is { } failure)
            {
                throw new JetstreamCursorStoreException("The final save of the durable cursor failed; the last handled event's cursor is not stored.", failure);
            }
        }
    }
}
