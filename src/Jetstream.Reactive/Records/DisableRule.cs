namespace Jetstream.Reactive.Records;

/// <summary>Nobody may quote the post (<c>app.bsky.feed.postgate#disableRule</c>).</summary>
public sealed record DisableRule : PostgateRule
{
    /// <summary>The <c>$type</c> of this rule.</summary>
    public const string TypeName = "app.bsky.feed.postgate#disableRule";

    /// <summary>Creates the rule.</summary>
    public DisableRule()
        : base(TypeName)
    {
    }
}
