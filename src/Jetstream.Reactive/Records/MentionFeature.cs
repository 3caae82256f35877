namespace Jetstream.Reactive.Records;

/// <summary>A mention of an account (<c>app.bsky.richtext.facet#mention</c>).</summary>
public sealed record MentionFeature : FacetFeature
{
    /// <summary>The <c>$type</c> of this feature.</summary>
    public const string TypeName = "app.bsky.richtext.facet#mention";

    /// <summary>Creates a mention.</summary>
    public MentionFeature()
        : base(TypeName)
    {
    }

    /// <summary>The DID of the mentioned account (<c>did</c>).</summary>
    public required string Did { get; init; }
}
