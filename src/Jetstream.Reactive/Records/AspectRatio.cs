namespace Jetstream.Reactive.Records;

/// <summary>The width-to-height ratio of an image or video (<c>app.bsky.embed.defs#aspectRatio</c>), not necessarily its pixel size.</summary>
public sealed record AspectRatio
{
    /// <summary>The width (<c>width</c>).</summary>
    public required int Width { get; init; }

    /// <summary>The height (<c>height</c>).</summary>
    public required int Height { get; init; }
}
