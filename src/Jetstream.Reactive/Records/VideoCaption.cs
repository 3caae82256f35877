namespace Jetstream.Reactive.Records;

/// <summary>A caption file of a <see cref="VideoEmbed"/> (<c>app.bsky.embed.video#caption</c>).</summary>
public sealed record VideoCaption
{
    /// <summary>The caption language, a BCP 47 tag (<c>lang</c>).</summary>
    public required string Lang { get; init; }

    /// <summary>The caption file (<c>file</c>), usually <c>text/vtt</c>.</summary>
    public required BlobRef File { get; init; }
}
