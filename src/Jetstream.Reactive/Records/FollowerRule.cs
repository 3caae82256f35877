namespace Jetstream.Reactive.Records;

/// <summary>Accounts that follow the author may reply (<c>app.bsky.feed.threadgate#followerRule</c>).</summary>
public sealed record FollowerRule : ThreadgateRule
{
    /// <summary>The <c>$type</c> of this rule.</summary>
    public const string TypeName = "app.bsky.feed.threadgate#followerRule";

    /// <summary>Creates the rule.</summary>
    public FollowerRule()
        : base(TypeName)
    {
    }
}
