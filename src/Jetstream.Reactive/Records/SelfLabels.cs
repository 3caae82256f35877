namespace Jetstream.Reactive.Records;

/// <summary>Labels the author applied to their own record (<c>com.atproto.label.defs#selfLabels</c>), such as <c>porn</c> or <c>!no-unauthenticated</c>.</summary>
public sealed record SelfLabels : RecordLabels
{
    /// <summary>The <c>$type</c> of these labels.</summary>
    public const string TypeName = "com.atproto.label.defs#selfLabels";

    /// <summary>Creates self-labels.</summary>
    public SelfLabels()
        : base(TypeName)
    {
    }

    /// <summary>The labels (<c>values</c>).</summary>
    public required IReadOnlyList<SelfLabel> Values { get; init; }
}
