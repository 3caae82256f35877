using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>A post (<c>app.bsky.feed.post</c>).</summary>
public sealed record PostRecord : IBlueskyRecord<PostRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.feed.post</c>.</summary>
    public static string Collection => "app.bsky.feed.post";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<PostRecord> JsonTypeInfo => BlueskyJsonContext.Default.PostRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>The text (<c>text</c>); may be empty (for example when the post is only images). Facets index it in UTF-8 bytes.</summary>
    public required string Text { get; init; }

    /// <summary>When the author's client says the post was written (<c>createdAt</c>); not verified by anyone.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The languages the author declared (<c>langs</c>), BCP 47 tags such as <c>en</c> or <c>pt-BR</c>.</summary>
    public IReadOnlyList<string>? Langs { get; init; }

    /// <summary>The thread position when the post is a reply (<c>reply</c>).</summary>
    public ReplyRef? Reply { get; init; }

    /// <summary>Mentions, links and hashtags in <see cref="Text"/> (<c>facets</c>).</summary>
    public IReadOnlyList<Facet>? Facets { get; init; }

    /// <summary>Embedded images, video, link card or quoted record (<c>embed</c>).</summary>
    public Embed? Embed { get; init; }

    /// <summary>Labels the author applied (<c>labels</c>).</summary>
    public RecordLabels? Labels { get; init; }

    /// <summary>Extra hashtags that are not in the text (<c>tags</c>), without <c>#</c>.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}
