namespace Jetstream.Reactive.Archive;

/// <summary>One validated planSnapshot page.</summary>
internal sealed record ArchivePlan(long SealedTipSeq, long PlannedThroughSeq, IReadOnlyList<ArchivePlanUnit> Units);

/// <summary>One plan entry: a whole segment, or the listed block ranges of a segment.</summary>
internal sealed record ArchivePlanUnit(string Name, long Index, string Checksum, long MinSeq, long MaxSeq, bool WholeSegment, IReadOnlyList<(int First, int Last)> Ranges);
