namespace Jetstream.Reactive.Records;

/// <summary>One image of an <see cref="ImagesEmbed"/> (<c>app.bsky.embed.images#image</c>).</summary>
public sealed record EmbedImage
{
    /// <summary>The image blob (<c>image</c>).</summary>
    public required BlobRef Image { get; init; }

    /// <summary>The alt text (<c>alt</c>); often empty.</summary>
    public required string Alt { get; init; }

    /// <summary>The aspect ratio (<c>aspectRatio</c>), when the client sent one.</summary>
    public AspectRatio? AspectRatio { get; init; }
}
