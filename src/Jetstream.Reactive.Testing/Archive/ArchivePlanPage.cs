namespace Jetstream.Reactive.Testing.Archive;

/// <summary>One planSnapshot answer.</summary>
internal sealed record ArchivePlanPage(
    long SealedTipSeq,
    long PlannedThroughSeq,
    IReadOnlyList<ArchivePlanEntry> Entries,
    int SegmentsExamined,
    int BlocksMatched,
    int EntryCount);
