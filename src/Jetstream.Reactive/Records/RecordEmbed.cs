namespace Jetstream.Reactive.Records;

/// <summary>A quoted record (<c>app.bsky.embed.record</c>): usually a post, sometimes a feed, list or starter pack.</summary>
public sealed record RecordEmbed : Embed
{
    /// <summary>The <c>$type</c> of this embed.</summary>
    public const string TypeName = "app.bsky.embed.record";

    /// <summary>Creates a quote embed.</summary>
    public RecordEmbed()
        : base(TypeName)
    {
    }

    /// <summary>The quoted record (<c>record</c>).</summary>
    public required StrongRef Record { get; init; }
}
