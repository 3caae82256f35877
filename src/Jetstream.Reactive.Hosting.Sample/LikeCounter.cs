namespace Jetstream.Reactive.Hosting.Sample;

// begin-snippet: hosting-batch-handler
/// <summary>Counts likes a batch at a time: one DI scope and one call per batch.</summary>
internal sealed class LikeCounter(LikeTotals totals) : IJetstreamBatchHandler
{
    public Task HandleAsync(IReadOnlyList<JetstreamEvent> events, CancellationToken cancellationToken)
    {
        var likes = events.Count(e => e is CommitEvent { Commit: { Collection: "app.bsky.feed.like", Operation: CommitOperation.Create } });
        totals.Add(likes);
        return Task.CompletedTask;
    }
}
// end-snippet

/// <summary>The running total, a singleton shared by every batch's handler.</summary>
internal sealed class LikeTotals
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add(long likes) => Interlocked.Add(ref _count, likes);
}
