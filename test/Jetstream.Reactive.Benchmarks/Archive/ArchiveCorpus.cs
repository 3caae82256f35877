using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Testing.Archive;

namespace Jetstream.Reactive.Benchmarks.Archive;

/// <summary>Sealed segments made of the bundled real events (records re-encoded as the DAG-CBOR a PDS stores), cycled to any size.</summary>
internal static class ArchiveCorpus
{
    private static readonly ReadOnlyMemory<byte>[] Real = JetstreamEventSource.BundledRealEvents.Read().ToArray();

    /// <summary>Segments of <paramref name="perSegment"/> rows (4096-row blocks, the server's default) holding <paramref name="count"/> events.</summary>
    public static List<byte[]> Build(int count, int perSegment = 100_000, int perBlock = 4096)
    {
        var segments = new List<byte[]>();
        JssSegmentWriter? writer = null;
        for (var i = 0; i < count; i++)
        {
            writer ??= new JssSegmentWriter(perBlock);
            writer.Append(JssArchiveRows.FromEventJson(Real[i % Real.Length].Span, i + 1, 1_750_000_000_000_000 + i));
            if (writer.Count == perSegment)
            {
                segments.Add(writer.Seal());
                writer = null;
            }
        }

        if (writer is { Count: > 0 })
        {
            segments.Add(writer.Seal());
        }

        return segments;
    }
}
