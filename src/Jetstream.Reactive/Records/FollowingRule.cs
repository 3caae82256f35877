namespace Jetstream.Reactive.Records;

/// <summary>Accounts the author follows may reply (<c>app.bsky.feed.threadgate#followingRule</c>).</summary>
public sealed record FollowingRule : ThreadgateRule
{
    /// <summary>The <c>$type</c> of this rule.</summary>
    public const string TypeName = "app.bsky.feed.threadgate#followingRule";

    /// <summary>Creates the rule.</summary>
    public FollowingRule()
        : base(TypeName)
    {
    }
}
