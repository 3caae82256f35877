namespace Jetstream.Reactive.Records;

/// <summary>Accounts mentioned in the root post may reply (<c>app.bsky.feed.threadgate#mentionRule</c>).</summary>
public sealed record MentionRule : ThreadgateRule
{
    /// <summary>The <c>$type</c> of this rule.</summary>
    public const string TypeName = "app.bsky.feed.threadgate#mentionRule";

    /// <summary>Creates the rule.</summary>
    public MentionRule()
        : base(TypeName)
    {
    }
}
