namespace Jetstream.Reactive.Records;

/// <summary>A hashtag (<c>app.bsky.richtext.facet#tag</c>).</summary>
public sealed record TagFeature : FacetFeature
{
    /// <summary>The <c>$type</c> of this feature.</summary>
    public const string TypeName = "app.bsky.richtext.facet#tag";

    /// <summary>Creates a hashtag.</summary>
    public TagFeature()
        : base(TypeName)
    {
    }

    /// <summary>The tag without its leading <c>#</c> (<c>tag</c>), in the author's casing.</summary>
    public required string Tag { get; init; }
}
