using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Resume;
using Jetstream.Reactive.Reconnect;

namespace Jetstream.Reactive.Linq;

/// <summary>
/// Rx operators the Jetstream client is built from, reusable on any <see cref="IObservable{T}"/>: a bounded buffer that
/// drops incoming items, retry with capped exponential backoff, and one-at-a-time async handlers.
/// </summary>
public static class JetstreamOperators
{
    /// <summary>
    /// Decouples a fast producer from a slow observer with a bounded queue: the producer's <c>OnNext</c> only queues and
    /// returns at once; items are delivered in order on <paramref name="scheduler"/>. When <paramref name="capacity"/>
    /// items are queued, each further <em>incoming</em> item is dropped (the queued items are kept, so what is
    /// delivered is always a prefix-ordered subset of what arrived) and passed to <paramref name="onDropped"/>. An error or
    /// completion is delivered after the queued items.
    /// </summary>
    /// <remarks>
    /// This is what <c>System.Threading.Channels</c> calls <c>BoundedChannelFullMode.DropWrite</c>, not its
    /// <c>DropNewest</c> (which evicts the newest <em>queued</em> item). Rx's own <c>ObserveOn</c> has no bound.
    /// </remarks>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The producer.</param>
    /// <param name="capacity">The most items queued at once; at least 1.</param>
    /// <param name="scheduler">Where items are delivered.</param>
    /// <param name="onDropped">Called with each dropped item, on the producer's thread; keep it cheap.</param>
    /// <returns>The buffered sequence.</returns>
    public static IObservable<T> DropIncomingWhenFull<T>(this IObservable<T> source, int capacity, IScheduler scheduler, Action<T>? onDropped = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(scheduler);
        return BufferedStreams.DropIncomingWhenFull(source, capacity, scheduler, null, onDropped);
    }

    /// <summary>
    /// Resubscribes to <paramref name="source"/> after each error that <paramref name="shouldRetry"/> accepts, waiting
    /// <see cref="BackoffPolicy.GetDelay"/> on <paramref name="scheduler"/> first. The retry count starts again at the
    /// first item after a resubscription. Other errors, and completion, pass through.
    /// </summary>
    /// <remarks>
    /// Place it <em>before</em> any <c>Publish().RefCount()</c>: once a shared source errors, the share is over.
    /// </remarks>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The sequence to retry, usually cold (each subscription does the work again).</param>
    /// <param name="policy">The delays.</param>
    /// <param name="shouldRetry">Whether an error is worth retrying; errors it rejects end the sequence.</param>
    /// <param name="scheduler">Where the delays are timed.</param>
    /// <param name="onRetry">
    /// Called before each wait, with the attempt number, the delay and the error. If it (or the policy's
    /// <see cref="BackoffPolicy.Randomizer"/>, or the scheduler) throws, the stream ends with an <see cref="AggregateException"/>
    /// holding the source's error and that exception.
    /// </param>
    /// <returns>The retried sequence.</returns>
    public static IObservable<T> RetryWithBackoff<T>(this IObservable<T> source, BackoffPolicy policy, Func<Exception, bool> shouldRetry, IScheduler scheduler, Action<RetryAttempt>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(shouldRetry);
        ArgumentNullException.ThrowIfNull(scheduler);
        var errors = policy.GetErrors(nameof(policy), string.Empty).ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors.Select(e => e.Message)), nameof(policy));
        }

        return new RetryWithBackoffObservable<T>(source, policy, e => shouldRetry(e) ? ReconnectDecision.AfterBackoff() : ReconnectDecision.Stop, scheduler, onRetry is null ? null : (retry, _) => onRetry(retry));
    }

    /// <summary>
    /// Subscribes an async handler that is awaited for one item at a time, in order. Items wait in a bounded queue that
    /// drops incoming items when full (counted in <see cref="AsyncSubscription.Dropped"/>), so the source never waits for
    /// the handler. Disposing the subscription cancels the token passed to the running handler.
    /// </summary>
    /// <remarks>
    /// Not the same as <c>Subscribe(async x =&gt; …)</c> (async void: calls overlap and exceptions are lost),
    /// <c>SelectMany(async …)</c> (concurrent and out of order) or <c>Select(x =&gt; Observable.FromAsync(…)).Concat()</c>
    /// (ordered, but its queue has no bound).
    /// </remarks>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="handler">The work per item; receives the subscription's cancellation token.</param>
    /// <param name="onError">
    /// Receives the source's error after the queued items are handled, or the handler's exception under
    /// <see cref="HandlerErrorBehavior.Stop"/>. When <see langword="null"/>, the error is rethrown on the options' scheduler,
    /// as Rx's <c>Subscribe</c> does.
    /// </param>
    /// <param name="onCompleted">Called after the source completed and every queued item was handled.</param>
    /// <param name="options">Capacity, error behaviour and scheduler; default <see cref="AsyncHandlerOptions"/>'s defaults.</param>
    /// <returns>The subscription: dispose it to stop; it also exposes counters and a completion task.</returns>
    public static AsyncSubscription SubscribeAsync<T>(this IObservable<T> source, Func<T, CancellationToken, Task> handler, Action<Exception>? onError = null, Action? onCompleted = null, AsyncHandlerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(handler);
        return Subscribe(source, HandlerCall<T>.OneAtATime(handler), onError, onCompleted, options);
    }

    /// <summary>
    /// Subscribes an async handler that is awaited for a batch at a time, in order: each call gets what is queued when
    /// the previous call ended (at least one item, at most <paramref name="maxBatchSize"/>), so batches grow when the
    /// handler falls behind and stay small when it keeps up. The queue, its bound, drops, errors and the durable cursor
    /// work as for <see cref="SubscribeAsync{T}(IObservable{T}, Func{T, CancellationToken, Task}, Action{Exception}?, Action?, AsyncHandlerOptions?)"/>;
    /// the cursor moves past a batch once the call for it finished.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="handler">The work per batch, in the source's order; the list is the handler's to keep.</param>
    /// <param name="maxBatchSize">The most items per call: 1 to 100,000.</param>
    /// <param name="onError">As for <c>SubscribeAsync</c>.</param>
    /// <param name="onCompleted">Called after the source completed and every queued item was handled.</param>
    /// <param name="options">Capacity, error behaviour and scheduler; a failed call under <see cref="HandlerErrorBehavior.Continue"/> gives up on its whole batch.</param>
    /// <returns>The subscription; <see cref="AsyncSubscription.Handled"/> counts items, not calls.</returns>
    public static AsyncSubscription SubscribeBatchesAsync<T>(this IObservable<T> source, Func<IReadOnlyList<T>, CancellationToken, Task> handler, int maxBatchSize, Action<Exception>? onError = null, Action? onCompleted = null, AsyncHandlerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(handler);
        if (maxBatchSize is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatchSize), maxBatchSize, $"maxBatchSize is {maxBatchSize}; it must be between 1 and 100,000.");
        }

        return Subscribe(source, HandlerCall<T>.Batches(handler, maxBatchSize), onError, onCompleted, options);
    }

    private static AsyncSubscription Subscribe<T>(IObservable<T> source, HandlerCall<T> handler, Action<Exception>? onError, Action? onCompleted, AsyncHandlerOptions? options)
    {
        options ??= new AsyncHandlerOptions();
        if (options.BufferCapacity is < 1)
        {
            throw new ArgumentException($"AsyncHandlerOptions.BufferCapacity is {options.BufferCapacity}; it must be at least 1, or null for the default.", nameof(options));
        }

        if (options.BufferByteLimit is < JetstreamOptions.MinBufferByteLimit)
        {
            throw new ArgumentException($"AsyncHandlerOptions.BufferByteLimit is {options.BufferByteLimit}; it must be at least {JetstreamOptions.MinBufferByteLimit:N0} bytes, or null for the default.", nameof(options));
        }

        if (options.Scheduler is ImmediateScheduler or CurrentThreadScheduler)
        {
            // These run the handler on the thread that calls OnNext: on a Jetstream stream, the socket reader, which then stalls.
            throw new ArgumentException($"AsyncHandlerOptions.Scheduler is {options.Scheduler.GetType().Name}, which runs the handler on the source's thread (the socket reader); use a scheduler with its own threads (DefaultScheduler.Instance, TaskPoolScheduler, an EventLoopScheduler), a TestScheduler, or null for the default.", nameof(options));
        }

        // Straight on a Jetstream stream, the handler's queue replaces the stream's buffer: one bound, counted in its metrics.
        // A buffering choice only: behind LINQ the saved cursor waits for the handler all the same (JetstreamAck).
        if (source is IBufferedSource<T> buffered)
        {
            return buffered.SubscribeAsync(handler, onError, onCompleted, options);
        }

        return BufferedStreams.SubscribeAsync(source, handler, onError, onCompleted, options, options.BufferCapacity ?? 10_000, options.Scheduler ?? DefaultScheduler.Instance, null, byteLimit: options.BufferByteLimit ?? JetstreamOptions.DefaultBufferByteLimit);
    }
}
