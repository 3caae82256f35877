using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>A follow (<c>app.bsky.graph.follow</c>). Unfollowing deletes the record, and a delete carries no record: keep the record key if you need to know whom it un-follows.</summary>
public sealed record FollowRecord : IBlueskyRecord<FollowRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.graph.follow</c>.</summary>
    public static string Collection => "app.bsky.graph.follow";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<FollowRecord> JsonTypeInfo => BlueskyJsonContext.Default.FollowRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>The DID of the followed account (<c>subject</c>).</summary>
    public required string Subject { get; init; }

    /// <summary>When the author's client says the record was made (<c>createdAt</c>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
