namespace Jetstream.Reactive.Records;

/// <summary>Members of a list may reply (<c>app.bsky.feed.threadgate#listRule</c>).</summary>
public sealed record ListRule : ThreadgateRule
{
    /// <summary>The <c>$type</c> of this rule.</summary>
    public const string TypeName = "app.bsky.feed.threadgate#listRule";

    /// <summary>Creates the rule.</summary>
    public ListRule()
        : base(TypeName)
    {
    }

    /// <summary>The list (<c>list</c>).</summary>
    public required AtUri List { get; init; }
}
