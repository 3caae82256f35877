namespace Jetstream.Reactive.Archive;

/// <summary>One entry of a segment's block index (52 bytes on disk).</summary>
/// <param name="Offset">The absolute offset of the block's 8-byte length prefix; the zstd frame follows it.</param>
/// <param name="CompressedSize">The zstd frame's length.</param>
/// <param name="UncompressedSize">The decompressed block body's length.</param>
/// <param name="EventCount">Rows in the block (0 for a block emptied by compaction).</param>
/// <param name="MinSeq">The block's lowest seq.</param>
/// <param name="MaxSeq">The block's highest seq.</param>
/// <param name="MinWitnessedAt">The block's earliest witnessed time, unix microseconds.</param>
/// <param name="MaxWitnessedAt">The block's latest witnessed time, unix microseconds.</param>
public readonly record struct JssBlockInfo(
    ulong Offset,
    uint CompressedSize,
    uint UncompressedSize,
    uint EventCount,
    ulong MinSeq,
    ulong MaxSeq,
    long MinWitnessedAt,
    long MaxWitnessedAt);
