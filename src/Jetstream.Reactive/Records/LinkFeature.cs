namespace Jetstream.Reactive.Records;

/// <summary>A link (<c>app.bsky.richtext.facet#link</c>). The text it covers is often a shortened form of the URI.</summary>
public sealed record LinkFeature : FacetFeature
{
    /// <summary>The <c>$type</c> of this feature.</summary>
    public const string TypeName = "app.bsky.richtext.facet#link";

    /// <summary>Creates a link.</summary>
    public LinkFeature()
        : base(TypeName)
    {
    }

    /// <summary>The target (<c>uri</c>), as the author wrote it; usually <c>https://…</c>.</summary>
    public required string Uri { get; init; }
}
