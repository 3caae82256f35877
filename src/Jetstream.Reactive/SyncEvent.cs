namespace Jetstream.Reactive;

/// <summary>
/// A repository's history diverged from what was streamed (v2 <c>#sync</c>, the upstream relay's <c>#sync</c>): re-sync
/// the repository from its PDS. Replacement <c>create</c> commits may follow. Protocol v1 never sends it.
/// </summary>
public sealed class SyncEvent : JetstreamEvent
{
    /// <summary>Creates a sync event.</summary>
    /// <param name="did">The repository DID.</param>
    /// <param name="timeUs">The Jetstream timestamp in microseconds.</param>
    /// <param name="rev">The repository revision the relay saw.</param>
    /// <param name="seq">The upstream relay's sequence number.</param>
    /// <param name="time">The upstream relay's timestamp.</param>
    /// <param name="blocks">The CAR bytes the relay sent (<c>sync.blocks</c>), possibly empty.</param>
    /// <param name="serverCursor">The server's sequence number, if it sent one.</param>
    public SyncEvent(string did, long timeUs, string rev, long seq, DateTimeOffset time, ReadOnlyMemory<byte> blocks, long? serverCursor = null)
        : base(did, timeUs, serverCursor)
    {
        ArgumentNullException.ThrowIfNull(rev);
        Rev = rev;
        Seq = seq;
        Time = time;
        Blocks = blocks;
    }

    /// <summary>The repository revision (<c>sync.rev</c>); empty when the server did not send one.</summary>
    public string Rev { get; }

    /// <summary>The upstream relay's sequence number (<c>sync.seq</c>); not a Jetstream cursor.</summary>
    public long Seq { get; }

    /// <summary>The upstream relay's timestamp (<c>sync.time</c>).</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The CAR file the relay sent (<c>sync.blocks</c>, decoded from <c>$bytes</c>); empty when absent.</summary>
    public ReadOnlyMemory<byte> Blocks { get; }

    /// <inheritdoc />
    public override JetstreamEventKind Kind => JetstreamEventKind.Sync;

    private SyncEvent(SyncEvent source, EventOrigin origin, ReadOnlyMemory<byte> rawJson)
        : base(source, origin, rawJson)
    {
        Rev = source.Rev;
        Seq = source.Seq;
        Time = source.Time;
        Blocks = source.Blocks;
    }

    /// <inheritdoc />
    internal override JetstreamEvent WithOrigin(EventOrigin origin, ReadOnlyMemory<byte> rawJson) => new SyncEvent(this, origin, rawJson);

    /// <inheritdoc />
    public override string ToString() => $"sync {Did} rev={Rev} time_us={TimeUs}";
}
