namespace Jetstream.Reactive;

/// <summary>A commit operation on one record of a repository (<c>"kind":"commit"</c>).</summary>
public sealed class CommitEvent : JetstreamEvent
{
    /// <summary>Creates a commit event (used by the decoder and by tests that build events).</summary>
    /// <param name="did">The repository DID.</param>
    /// <param name="timeUs">The Jetstream timestamp in microseconds.</param>
    /// <param name="commit">The commit operation.</param>
    /// <param name="serverCursor">The server's sequence number, if it sent one.</param>
    public CommitEvent(string did, long timeUs, JetstreamCommit commit, long? serverCursor = null)
        : base(did, timeUs, serverCursor)
    {
        ArgumentNullException.ThrowIfNull(commit);
        Commit = commit;
    }

    /// <summary>The operation: revision, operation kind, collection, record key, CID and record.</summary>
    public JetstreamCommit Commit { get; }

    /// <inheritdoc />
    public override JetstreamEventKind Kind => JetstreamEventKind.Commit;

    private CommitEvent(CommitEvent source, EventOrigin origin, ReadOnlyMemory<byte> rawJson)
        : base(source, origin, rawJson)
    {
        Commit = source.Commit;
    }

    /// <inheritdoc />
    internal override JetstreamEvent WithOrigin(EventOrigin origin, ReadOnlyMemory<byte> rawJson) => new CommitEvent(this, origin, rawJson);

    /// <inheritdoc />
    public override string ToString() =>
        $"commit {Commit.Operation} {Did}/{Commit.Collection}/{Commit.RKey} time_us={TimeUs}";
}
