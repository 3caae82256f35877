using System.Reactive.Subjects;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/getting-started.md, changing filters.</summary>
internal static class FilterUpdates
{
    public static IDisposable Follow(IEnumerable<string> followedDids)
    {
        // begin-snippet: filter-updates
        var filters = new BehaviorSubject<JetstreamFilter>(new JetstreamFilter { WantedDids = followedDids.ToArray() });
        var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { FilterUpdates = filters })
            .Subscribe(e => Console.WriteLine(e));

        // Later, when the user follows someone: the whole new filter, both lists.
        filters.OnNext(filters.Value with { WantedDids = [.. filters.Value.WantedDids, "did:plc:q6gjnaw2blty4crticxkmujt"] });
        // end-snippet
        return subscription;
    }
}
