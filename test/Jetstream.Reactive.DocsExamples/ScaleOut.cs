using Jetstream.Reactive.Hosting;
using Jetstream.Reactive.Nats;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using static Jetstream.Reactive.DocsExamples.Hosting;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/scale-out.md.</summary>
internal static class ScaleOut
{
    public static async Task RelayAsync(CancellationToken stopping)
    {
        // begin-snippet: scale-out-relay
        await using var nats = new NatsConnection(new NatsOpts { Url = "nats://127.0.0.1:4222" });
        var relay = new JetstreamNatsRelay(nats, new JetstreamNatsRelayOptions
        {
            Source = new JetstreamOptions(), // every event; add WantedCollections to relay less
            Stream = new JetstreamNatsStreamOptions
            {
                Name = "JETSTREAM",
                Partitions = 16,
                Replicas = 1, // 3 on a cluster
                MaxAge = TimeSpan.FromHours(24),
                DuplicateWindow = TimeSpan.FromMinutes(10),
            },
        });

        // Creates or checks the stream, resumes from its last event, and runs until stopped.
        await relay.RunAsync(stopping);
        // end-snippet
    }

    public static async Task WorkerAsync(IEventStore store, CancellationToken stopping)
    {
        // begin-snippet: scale-out-worker
        await using var nats = new NatsConnection(new NatsOpts { Url = "nats://127.0.0.1:4222" });
        var posts = JetstreamNats.Consume(nats, new JetstreamNatsConsumerOptions
        {
            ConsumerName = "post-indexer", // every worker with this name shares the work
            WantedCollections = ["app.bsky.feed.post"],
            OnHandlerError = JetstreamNatsHandlerFailure.Nak, // delivered again after NakDelay
        });

        // Acknowledged when SaveAsync completes; a crash before that means another worker gets it after AckWait.
        using var worker = posts.SubscribeAsync(store.SaveAsync);
        await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        // end-snippet
    }

    public static IDisposable PartitionedWorker(INatsConnection nats, int me, IEventStore store)
    {
        // begin-snippet: scale-out-partitioned
        // Worker `me` of 4, each with its own consumer over a quarter of the DID-hash partitions (16 in the stream):
        // one repository's events always reach the same worker, in stream order.
        var mine = Enumerable.Range(0, 16).Where(p => p % 4 == me).ToList();
        return JetstreamNats.Consume(nats, new JetstreamNatsConsumerOptions
        {
            ConsumerName = $"ordered-{me}",
            Partitions = mine,
        }).SubscribeAsync(store.SaveAsync);
        // end-snippet
    }

    public static void Hosted(IServiceCollection services)
    {
        // begin-snippet: scale-out-hosted
        services.AddSingleton<INatsConnection>(new NatsConnection(new NatsOpts { Url = "nats://127.0.0.1:4222" }));
        services.AddJetstream(_ => { }) // the Jetstream connection settings are unused: NATS is the source
            .AddHandler<PostIndexer>()
            .UseNats(new JetstreamNatsConsumerOptions
            {
                ConsumerName = "post-indexer", // every host with this name shares the work
                WantedCollections = ["app.bsky.feed.post"],
            });
        services.AddHealthChecks().AddJetstream(); // adds the NATS connection and the consumer's backlog
        // end-snippet
    }
}
