using System.Reactive.Subjects;
using Jetstream.Reactive.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/hosting.md: the configure delegate, services for the consumer, the health check.</summary>
internal static class Hosting
{
    public static void ConfigureInCode(IServiceCollection services)
    {
        // begin-snippet: hosting-configure-in-code
        services.AddJetstream(options =>
        {
            options.WantedCollections = ["app.bsky.feed.post"];
            options.CursorFile = "state/jetstream.cursor.json";
            options.ShutdownTimeout = TimeSpan.FromSeconds(20);
        })
        .AddHandler<PostIndexer>(handler => handler.BufferCapacity = 50_000);
        // end-snippet
    }

    public static void FilterUpdatesFromAService(IServiceCollection services)
    {
        // begin-snippet: hosting-filter-updates
        services.AddSingleton<WatchList>();
        services.AddOptions<JetstreamHostingOptions>()
            .Configure<WatchList>((options, watchList) => options.FilterUpdates = watchList.Filters);
        // end-snippet
    }

    public static void CursorInADatabase(IServiceCollection services)
    {
        // begin-snippet: hosting-cursor-store
        services.AddSingleton<ICursorStore, DatabaseCursorStore>(); // instead of Jetstream:CursorFile
        // end-snippet
    }

    public static void HealthCheck(IServiceCollection services)
    {
        // begin-snippet: hosting-health-check
        services.AddHealthChecks().AddJetstream(tags: ["ready"]);
        // end-snippet
    }

    internal sealed class PostIndexer : IJetstreamHandler
    {
        public Task HandleAsync(JetstreamEvent jetstreamEvent, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    internal sealed class WatchList : IDisposable
    {
        private readonly BehaviorSubject<JetstreamFilter> _filters = new(new JetstreamFilter());

        public IObservable<JetstreamFilter> Filters => _filters;

        public void Dispose() => _filters.Dispose();
    }

    internal sealed class DatabaseCursorStore : ICursorStore
    {
        public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<JetstreamCursor?>(null);

        public ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
