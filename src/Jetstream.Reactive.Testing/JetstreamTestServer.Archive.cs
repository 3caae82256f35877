using System.Collections.Concurrent;
using Jetstream.Reactive.Testing.Archive;

namespace Jetstream.Reactive.Testing;

/// <content>The v2 archive: sealed <c>.jss</c> segments cut from the event log and the four archive endpoints.</content>
public sealed partial class JetstreamTestServer
{
    private readonly ConcurrentQueue<ArchiveRequest> _archiveRequests = new();
    private int _planPages;
    private long _badArchiveEvents;

    /// <summary>Faults for the archive endpoints, and the hook that runs after each plan page.</summary>
    public ArchiveFaultPlan ArchiveFaults { get; } = new();

    /// <summary>While false, the four archive endpoints answer 503 <c>ServiceUnavailable</c> (the server's readiness gate).</summary>
    public bool ArchiveReady { get; set; } = true;

    /// <summary>Every archive request so far, in arrival order.</summary>
    public IReadOnlyList<ArchiveRequest> ArchiveRequests => _archiveRequests.ToArray();

    /// <summary>The highest sealed seq (the archive's tip); 0 when nothing is sealed.</summary>
    public long SealedTipSeq => Archive.SealedThrough;

    /// <summary>Sealed segments so far.</summary>
    public int ArchiveSegmentCount => Archive.Segments.Count;

    /// <summary>Logged events that could not be stored as archive rows (their record is outside the atproto data model).</summary>
    public long BadArchiveEvents => Interlocked.Read(ref _badArchiveEvents);

    internal ArchiveStore Archive { get; } = new();

    /// <summary>
    /// Seals every event ingested since the last seal into one new segment, as the server does when its active segment
    /// fills. Sealed events stay on the live socket too (its replay reads the same log).
    /// </summary>
    /// <returns>The new segment's name, or null when there was nothing to seal.</returns>
    public string? SealArchive() =>
        Archive.Seal(Log, Options.ArchiveEventsPerBlock, Options.TimeProvider.GetUtcNow(), _ => Interlocked.Increment(ref _badArchiveEvents))?.Name;

    /// <summary>Adds a sealed <c>.jss</c> file (a real one, or one from <see cref="JssSegmentWriter"/>) as the next segment.</summary>
    /// <param name="file">The whole file; it must read back through the client's reader.</param>
    /// <returns>The name it is served under.</returns>
    public string AddArchiveSegment(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Archive.Add(file, Options.TimeProvider.GetUtcNow()).Name;
    }

    /// <summary>The bytes served for a segment, for byte-exact assertions.</summary>
    /// <param name="name">The segment name.</param>
    /// <returns>The file, or null when no such segment is sealed.</returns>
    public byte[]? GetArchiveSegment(string name) =>
        Jetstream.Reactive.Archive.JssSegmentReader.TryParseSegmentName(name, out var index) ? Archive.Find(index)?.File : null;

    internal void RecordArchiveRequest(ArchiveRequest request) => _archiveRequests.Enqueue(request);

    internal int NextPlanPage() => Interlocked.Increment(ref _planPages);
}
