namespace Jetstream.Reactive.Archive;

/// <summary>The fixed 256-byte header of a sealed <c>.jss</c> segment (all integers little-endian on disk).</summary>
/// <param name="Checksum">XXH3-64 over header bytes 12–255 and the footer; zero marks an active (unsealed) file.</param>
/// <param name="Version">The format version; only 1 is known.</param>
/// <param name="BlockCount">The number of blocks.</param>
/// <param name="EventCount">Rows still present, summed over the blocks (it drops after compaction).</param>
/// <param name="UniqueDidCount">Distinct non-empty DIDs in the segment.</param>
/// <param name="MinSeq">The lowest seq the segment was created with (kept across compaction).</param>
/// <param name="MaxSeq">The highest seq the segment was created with (kept across compaction).</param>
/// <param name="MinWitnessedAt">The earliest witnessed time, unix microseconds.</param>
/// <param name="MaxWitnessedAt">The latest witnessed time, unix microseconds.</param>
/// <param name="FooterOffset">Where the footer (and its block index) starts.</param>
/// <param name="DidBloomOffset">Where the segment DID bloom starts.</param>
/// <param name="BlockDidBloomOffset">Where the per-block DID blooms start.</param>
/// <param name="CollectionIndexOffset">Where the collection block index starts (it runs to the end of the file).</param>
public sealed record JssSegmentHeader(
    ulong Checksum,
    ushort Version,
    uint BlockCount,
    uint EventCount,
    uint UniqueDidCount,
    ulong MinSeq,
    ulong MaxSeq,
    long MinWitnessedAt,
    long MaxWitnessedAt,
    ulong FooterOffset,
    ulong DidBloomOffset,
    ulong BlockDidBloomOffset,
    ulong CollectionIndexOffset)
{
    /// <summary>The checksum as the server spells it (16 lowercase hex digits): plan <c>checksum</c> and the <c>getSegment</c> ETag.</summary>
    public string ChecksumHex => Checksum.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
