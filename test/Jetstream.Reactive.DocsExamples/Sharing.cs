using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Jetstream.Reactive.Linq;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/backpressure.md (sharing one connection).</summary>
internal static class Sharing
{
    public static IDisposable TwoConsumers(IEventStore likes, IEventStore posts)
    {
        // begin-snippet: sharing
        var scheduler = DefaultScheduler.Instance;
        var shared = JetstreamObservable
            .Connect(new JetstreamOptions { WantedCollections = ["app.bsky.feed.*"], Scheduler = scheduler })
            .Publish()
            .RefCount(TimeSpan.FromSeconds(5), scheduler); // keep the connection 5 s after the last consumer leaves

        // Each consumer gets its own bounded queue, so a slow one cannot hold up the other.
        var likeSubscription = shared
            .OfType<CommitEvent>()
            .Where(e => e.Commit.Collection == "app.bsky.feed.like")
            .SubscribeAsync(likes.SaveAsync, onError: error => Console.Error.WriteLine(error));
        var postSubscription = shared
            .OfType<CommitEvent>()
            .Where(e => e.Commit.Collection == "app.bsky.feed.post")
            .SubscribeAsync(posts.SaveAsync, onError: error => Console.Error.WriteLine(error));
        // end-snippet
        return new System.Reactive.Disposables.CompositeDisposable(likeSubscription, postSubscription);
    }
}
