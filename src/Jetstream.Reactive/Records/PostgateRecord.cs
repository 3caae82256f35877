using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>Rules for quoting a post (<c>app.bsky.feed.postgate</c>); its record key is the post's.</summary>
public sealed record PostgateRecord : IBlueskyRecord<PostgateRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.feed.postgate</c>.</summary>
    public static string Collection => "app.bsky.feed.postgate";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<PostgateRecord> JsonTypeInfo => BlueskyJsonContext.Default.PostgateRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>The post the rules apply to (<c>post</c>).</summary>
    public required AtUri Post { get; init; }

    /// <summary>Quotes the author detached from the post (<c>detachedEmbeddingUris</c>).</summary>
    public IReadOnlyList<AtUri>? DetachedEmbeddingUris { get; init; }

    /// <summary>Rules on embedding the post (<c>embeddingRules</c>), such as <see cref="DisableRule"/>.</summary>
    public IReadOnlyList<PostgateRule>? EmbeddingRules { get; init; }

    /// <summary>When the author's client says the record was made (<c>createdAt</c>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
