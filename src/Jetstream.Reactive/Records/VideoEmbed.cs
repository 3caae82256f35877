namespace Jetstream.Reactive.Records;

/// <summary>A video (<c>app.bsky.embed.video</c>).</summary>
public sealed record VideoEmbed : Embed
{
    /// <summary>The <c>$type</c> of this embed.</summary>
    public const string TypeName = "app.bsky.embed.video";

    /// <summary>Creates a video embed.</summary>
    public VideoEmbed()
        : base(TypeName)
    {
    }

    /// <summary>The video blob (<c>video</c>), usually <c>video/mp4</c>.</summary>
    public required BlobRef Video { get; init; }

    /// <summary>Caption files by language (<c>captions</c>).</summary>
    public IReadOnlyList<VideoCaption>? Captions { get; init; }

    /// <summary>The alt text (<c>alt</c>).</summary>
    public string? Alt { get; init; }

    /// <summary>The aspect ratio (<c>aspectRatio</c>).</summary>
    public AspectRatio? AspectRatio { get; init; }

    /// <summary>How clients should present it (<c>presentation</c>): known values <c>default</c> and <c>gif</c>; treat the set as open.</summary>
    public string? Presentation { get; init; }
}
