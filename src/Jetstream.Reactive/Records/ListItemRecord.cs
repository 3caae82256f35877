using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>One member of a list (<c>app.bsky.graph.listitem</c>).</summary>
public sealed record ListItemRecord : IBlueskyRecord<ListItemRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.graph.listitem</c>.</summary>
    public static string Collection => "app.bsky.graph.listitem";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<ListItemRecord> JsonTypeInfo => BlueskyJsonContext.Default.ListItemRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>The DID of the member (<c>subject</c>).</summary>
    public required string Subject { get; init; }

    /// <summary>The list (<c>list</c>), an <c>app.bsky.graph.list</c> record.</summary>
    public required AtUri List { get; init; }

    /// <summary>When the author's client says the record was made (<c>createdAt</c>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
