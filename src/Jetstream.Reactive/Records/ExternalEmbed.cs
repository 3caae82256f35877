namespace Jetstream.Reactive.Records;

/// <summary>A link card (<c>app.bsky.embed.external</c>).</summary>
public sealed record ExternalEmbed : Embed
{
    /// <summary>The <c>$type</c> of this embed.</summary>
    public const string TypeName = "app.bsky.embed.external";

    /// <summary>Creates a link card.</summary>
    public ExternalEmbed()
        : base(TypeName)
    {
    }

    /// <summary>The linked page (<c>external</c>).</summary>
    public required ExternalLink External { get; init; }
}
