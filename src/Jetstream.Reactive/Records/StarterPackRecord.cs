using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>A starter pack (<c>app.bsky.graph.starterpack</c>): a list of accounts and a few feeds to follow in one go.</summary>
public sealed record StarterPackRecord : IBlueskyRecord<StarterPackRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.graph.starterpack</c>.</summary>
    public static string Collection => "app.bsky.graph.starterpack";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<StarterPackRecord> JsonTypeInfo => BlueskyJsonContext.Default.StarterPackRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>The pack's name (<c>name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The description (<c>description</c>).</summary>
    public string? Description { get; init; }

    /// <summary>Mentions, links and hashtags in <see cref="Description"/> (<c>descriptionFacets</c>).</summary>
    public IReadOnlyList<Facet>? DescriptionFacets { get; init; }

    /// <summary>The reference list that holds the accounts (<c>list</c>).</summary>
    public required AtUri List { get; init; }

    /// <summary>Suggested feeds (<c>feeds</c>).</summary>
    public IReadOnlyList<StarterPackFeed>? Feeds { get; init; }

    /// <summary>When the author's client says the record was made (<c>createdAt</c>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
