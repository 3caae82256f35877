using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>A like of a post or other record (<c>app.bsky.feed.like</c>).</summary>
public sealed record LikeRecord : IBlueskyRecord<LikeRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.feed.like</c>.</summary>
    public static string Collection => "app.bsky.feed.like";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<LikeRecord> JsonTypeInfo => BlueskyJsonContext.Default.LikeRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>The liked record (<c>subject</c>), usually a post.</summary>
    public required StrongRef Subject { get; init; }

    /// <summary>When the author's client says the record was made (<c>createdAt</c>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The repost through which the author saw the subject (<c>via</c>), when the client says so.</summary>
    public StrongRef? Via { get; init; }
}
