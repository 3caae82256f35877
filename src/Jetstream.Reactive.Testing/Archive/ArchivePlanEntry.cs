namespace Jetstream.Reactive.Testing.Archive;

/// <summary>One unit of a plan page: a whole segment, or a segment with the block ranges admitted so far.</summary>
internal sealed record ArchivePlanEntry(ArchiveSegment Segment, bool WholeSegment, List<(int First, int Last)> Ranges);
