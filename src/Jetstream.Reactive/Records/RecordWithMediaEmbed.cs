namespace Jetstream.Reactive.Records;

/// <summary>A quoted record together with media (<c>app.bsky.embed.recordWithMedia</c>).</summary>
public sealed record RecordWithMediaEmbed : Embed
{
    /// <summary>The <c>$type</c> of this embed.</summary>
    public const string TypeName = "app.bsky.embed.recordWithMedia";

    /// <summary>Creates a quote-with-media embed.</summary>
    public RecordWithMediaEmbed()
        : base(TypeName)
    {
    }

    /// <summary>The quoted record (<c>record</c>).</summary>
    public required RecordEmbed Record { get; init; }

    /// <summary>
    /// The media (<c>media</c>): an <see cref="ImagesEmbed"/>, a <see cref="VideoEmbed"/>, an
    /// <see cref="ExternalEmbed"/>, or an <see cref="UnknownEmbed"/>.
    /// </summary>
    public required Embed Media { get; init; }
}
