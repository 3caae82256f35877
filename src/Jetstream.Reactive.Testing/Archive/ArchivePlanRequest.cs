namespace Jetstream.Reactive.Testing.Archive;

/// <summary>A validated planSnapshot body.</summary>
internal sealed record ArchivePlanRequest(
    IReadOnlySet<string> Kinds,
    IReadOnlySet<string> Dids,
    IReadOnlySet<string> ExactCollections,
    IReadOnlyList<string> CollectionPrefixes,
    long AfterSeq,
    long? BeforeSeq)
{
    public bool HasCollections => ExactCollections.Count > 0 || CollectionPrefixes.Count > 0;

    public bool Admits(string kind) => Kinds.Count == 0 || Kinds.Contains(kind);
}
