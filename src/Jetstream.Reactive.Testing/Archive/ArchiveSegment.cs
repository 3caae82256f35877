using Jetstream.Reactive.Archive;

namespace Jetstream.Reactive.Testing.Archive;

/// <summary>One sealed segment as the emulator serves it: its bytes plus the in-memory metadata the planner uses.</summary>
internal sealed class ArchiveSegment
{
    private ArchiveSegment(long index, byte[] file, JssSegmentHeader header, JssBlockInfo[] blocks, HashSet<string>[] blockNames, HashSet<string>[] blockDids, DateTimeOffset modified)
    {
        Index = index;
        File = file;
        Header = header;
        Blocks = blocks;
        BlockNames = blockNames;
        BlockDids = blockDids;
        Modified = modified;
    }

    public long Index { get; }

    public string Name => JssSegmentReader.SegmentName(Index);

    public byte[] File { get; }

    public JssSegmentHeader Header { get; }

    public string Checksum => Header.ChecksumHex;

    public JssBlockInfo[] Blocks { get; }

    /// <summary>Per block: its collection names, including the marker names.</summary>
    public HashSet<string>[] BlockNames { get; }

    /// <summary>Per block: its exact DIDs (a valid stand-in for the server's blooms: no false positives).</summary>
    public HashSet<string>[] BlockDids { get; }

    public DateTimeOffset Modified { get; }

    /// <summary>Reads a sealed file (ours or a real one) and indexes it for the planner.</summary>
    public static ArchiveSegment Load(long index, byte[] file, DateTimeOffset modified)
    {
        using var reader = JssSegmentReader.Open(new MemoryStream(file, writable: false));
        var names = new HashSet<string>[reader.Blocks.Count];
        var dids = new HashSet<string>[reader.Blocks.Count];
        for (var i = 0; i < reader.Blocks.Count; i++)
        {
            names[i] = reader.CollectionsOfBlock(i).Select(id => reader.Collections[id].Name).ToHashSet(StringComparer.Ordinal);
            dids[i] = reader.ReadBlock(i).Events.Select(e => e.Did).ToHashSet(StringComparer.Ordinal);
        }

        return new ArchiveSegment(index, file, reader.Header, [.. reader.Blocks], names, dids, modified);
    }
}
