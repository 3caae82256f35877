using System.Reactive.Linq;
using Jetstream.Reactive.Linq;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/backpressure.md (async handlers) and the README's threading answers.</summary>
internal static class AsyncHandlers
{
    public static AsyncSubscription SaveLikes(IEventStore store, ILogger logger)
    {
        // begin-snippet: subscribe-async
        var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { WantedCollections = ["app.bsky.feed.like"] })
            .SubscribeAsync(
                (e, cancellationToken) => store.SaveAsync(e, cancellationToken),
                onError: error => logger.LogError(error, "Jetstream stream ended"),
                options: new AsyncHandlerOptions
                {
                    BufferCapacity = 20_000,
                    OnHandlerError = HandlerErrorBehavior.Continue, // log and go on with the next event
                    Logger = logger,
                });
        // end-snippet
        return subscription;
    }

    public static AsyncSubscription FilterInHandler(IEventStore store)
    {
        // begin-snippet: subscribe-async-filter
        // Straight on Connect(...): the handler's queue replaces the stream's buffer (one bound, in the metrics).
        var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { WantedCollections = ["app.bsky.feed.post"] })
            .SubscribeAsync((e, cancellationToken) =>
                e is CommitEvent { Commit.Operation: CommitOperation.Create } post
                    ? store.SaveAsync(post, cancellationToken)
                    : Task.CompletedTask);
        // end-snippet
        return subscription;
    }

    public static async Task RunUntilStoppedAsync(IEventStore store, CancellationToken stoppingToken)
    {
        // begin-snippet: async-shutdown
        using var subscription = JetstreamObservable
            .Connect(new JetstreamOptions())
            .SubscribeAsync(store.SaveAsync, onError: error => Console.Error.WriteLine(error));

        using (stoppingToken.Register(subscription.Dispose))
        {
            // Completes after dispose (once the running handler returns), or after a terminal error; without a
            // CursorStore it never faults (with one, it waits for the final save and faults if that failed).
            await subscription.Completion;
        }

        Console.WriteLine($"handled {subscription.Handled}, dropped {subscription.Dropped}");
        // end-snippet
    }

    public static async Task BatchesAsync(IEventStore store, CancellationToken stoppingToken)
    {
        // begin-snippet: async-batches
        var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { CursorStore = new FileCursorStore("jetstream.cursor.json") })
            .SubscribeBatchesAsync(
                async (events, cancellationToken) =>
                {
                    foreach (var e in events) // one call per batch: a transaction, a bulk insert
                    {
                        await store.SaveAsync(e, cancellationToken);
                    }
                },
                maxBatchSize: 500);

        var stopping = new TaskCompletionSource();
        using (stoppingToken.Register(() => stopping.TrySetResult()))
        {
            await stopping.Task;
        }

        // Stop taking events, handle what is queued for up to 10 s, then save the cursor of the last one handled.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await subscription.DrainAsync(deadline.Token);
        // end-snippet
    }

    public static void Traps(IObservable<JetstreamEvent> source, IEventStore store)
    {
        // begin-snippet: async-traps
        // Wrong: an async void lambda. Rx does not wait for it, so calls overlap,
        // and an exception is thrown on the thread pool, where it ends the process.
        source.Subscribe(async e => await store.SaveAsync(e, CancellationToken.None));

        // Wrong: every event starts a handler at once; they run concurrently and finish out of order.
        source.SelectMany(async e => { await store.SaveAsync(e, CancellationToken.None); return e; }).Subscribe();

        // Wrong: in order, one at a time, but Concat queues every waiting event with no bound.
        source.Select(e => Observable.FromAsync(ct => store.SaveAsync(e, ct))).Concat().Subscribe();

        // Right: one call at a time, in order, a bounded and counted queue, the token cancelled on dispose.
        source.SubscribeAsync(store.SaveAsync);
        // end-snippet
    }
}
