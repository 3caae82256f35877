namespace Jetstream.Reactive.Records;

/// <summary>Known values of <see cref="ListRecord.Purpose"/> (<c>app.bsky.graph.defs#listPurpose</c>). The set is open.</summary>
public static class ListPurposes
{
    /// <summary>A moderation list: its members are muted or blocked by those who subscribe.</summary>
    public const string ModerationList = "app.bsky.graph.defs#modlist";

    /// <summary>A curation list, for example to build a feed.</summary>
    public const string CurationList = "app.bsky.graph.defs#curatelist";

    /// <summary>A reference list, such as the members of a starter pack.</summary>
    public const string ReferenceList = "app.bsky.graph.defs#referencelist";
}
