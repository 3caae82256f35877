namespace Jetstream.Reactive.Records;

/// <summary>One self-applied label (<c>com.atproto.label.defs#selfLabel</c>).</summary>
public sealed record SelfLabel
{
    /// <summary>The label value (<c>val</c>), such as <c>nudity</c>.</summary>
    public required string Val { get; init; }
}
