namespace Jetstream.Reactive.Records;

/// <summary>A feed suggested by a starter pack (<c>app.bsky.graph.starterpack#feedItem</c>).</summary>
public sealed record StarterPackFeed
{
    /// <summary>The feed generator record (<c>uri</c>).</summary>
    public required AtUri Uri { get; init; }
}
