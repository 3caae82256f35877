namespace Jetstream.Reactive.Records;

/// <summary>
/// A reference to one version of a record (<c>com.atproto.repo.strongRef</c>): its URI and the CID of the version.
/// Likes, reposts and replies point at posts with it.
/// </summary>
public sealed record StrongRef
{
    /// <summary>The record's URI (<c>uri</c>).</summary>
    public required AtUri Uri { get; init; }

    /// <summary>The CID of the referenced version (<c>cid</c>).</summary>
    public required Cid Cid { get; init; }
}
