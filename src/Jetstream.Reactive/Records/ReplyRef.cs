namespace Jetstream.Reactive.Records;

/// <summary>Where a reply sits in its thread (<c>app.bsky.feed.post#replyRef</c>).</summary>
public sealed record ReplyRef
{
    /// <summary>The first post of the thread (<c>root</c>); the same as <see cref="Parent"/> for a direct reply to it.</summary>
    public required StrongRef Root { get; init; }

    /// <summary>The post this one answers (<c>parent</c>).</summary>
    public required StrongRef Parent { get; init; }
}
