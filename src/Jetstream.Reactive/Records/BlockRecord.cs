using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>A block (<c>app.bsky.graph.block</c>). Blocks are public records.</summary>
public sealed record BlockRecord : IBlueskyRecord<BlockRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.graph.block</c>.</summary>
    public static string Collection => "app.bsky.graph.block";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<BlockRecord> JsonTypeInfo => BlueskyJsonContext.Default.BlockRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>The DID of the blocked account (<c>subject</c>).</summary>
    public required string Subject { get; init; }

    /// <summary>When the author's client says the record was made (<c>createdAt</c>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
