using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>A list of accounts (<c>app.bsky.graph.list</c>): a curation list, a moderation list or a reference list (the members of a starter pack). Members are separate <see cref="ListItemRecord"/>s.</summary>
public sealed record ListRecord : IBlueskyRecord<ListRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.graph.list</c>.</summary>
    public static string Collection => "app.bsky.graph.list";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<ListRecord> JsonTypeInfo => BlueskyJsonContext.Default.ListRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>What the list is for (<c>purpose</c>); see <see cref="ListPurposes"/>, and treat the set as open.</summary>
    public required string Purpose { get; init; }

    /// <summary>The list's name (<c>name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The description (<c>description</c>).</summary>
    public string? Description { get; init; }

    /// <summary>Mentions, links and hashtags in <see cref="Description"/> (<c>descriptionFacets</c>).</summary>
    public IReadOnlyList<Facet>? DescriptionFacets { get; init; }

    /// <summary>The list's picture (<c>avatar</c>).</summary>
    public BlobRef? Avatar { get; init; }

    /// <summary>Labels the author applied (<c>labels</c>).</summary>
    public RecordLabels? Labels { get; init; }

    /// <summary>When the author's client says the record was made (<c>createdAt</c>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
