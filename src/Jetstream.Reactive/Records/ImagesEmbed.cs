namespace Jetstream.Reactive.Records;

/// <summary>Up to four images (<c>app.bsky.embed.images</c>).</summary>
public sealed record ImagesEmbed : Embed
{
    /// <summary>The <c>$type</c> of this embed.</summary>
    public const string TypeName = "app.bsky.embed.images";

    /// <summary>Creates an images embed.</summary>
    public ImagesEmbed()
        : base(TypeName)
    {
    }

    /// <summary>The images, in display order (<c>images</c>).</summary>
    public required IReadOnlyList<EmbedImage> Images { get; init; }
}
