namespace Jetstream.Reactive.Records;

/// <summary>The page an <see cref="ExternalEmbed"/> links to (<c>app.bsky.embed.external#external</c>).</summary>
public sealed record ExternalLink
{
    /// <summary>The page's address (<c>uri</c>), as the author's client wrote it.</summary>
    public required string Uri { get; init; }

    /// <summary>The card title (<c>title</c>); may be empty.</summary>
    public required string Title { get; init; }

    /// <summary>The card description (<c>description</c>); may be empty.</summary>
    public required string Description { get; init; }

    /// <summary>The card's thumbnail (<c>thumb</c>).</summary>
    public BlobRef? Thumb { get; init; }
}
