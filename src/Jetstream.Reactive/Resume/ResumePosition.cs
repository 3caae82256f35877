namespace Jetstream.Reactive.Resume;

/// <summary>
/// Where the next connection resumes: the last queued event's cursor, its time and the host it came from, or the
/// configured start. It survives reconnects. Attempts run one after another (the retry subscribes the next only after
/// the previous failed), so only one reader writes it at a time and it needs no lock.
/// </summary>
internal sealed class ResumePosition
{
    private readonly JetstreamOptions _options;
    private bool _configuredCursorAbandoned;

    public ResumePosition(JetstreamOptions options) => _options = options;

    /// <summary>The last queued (or loaded) cursor, or <see langword="null"/> before the first.</summary>
    public long? LastCursor { get; private set; }

    /// <summary>Whether <see cref="LastCursor"/> is a sequence number.</summary>
    public bool LastIsSeq { get; private set; }

    /// <summary>The <c>time_us</c> of the last cursor (0 when unknown).</summary>
    public long LastTimeUs { get; private set; }

    /// <summary>The index of the host <see cref="LastCursor"/> came from; -1 when it is not a configured host.</summary>
    public int LastEndpoint { get; private set; }

    /// <summary>
    /// The cursor for a connection to host <paramref name="endpoint"/>: the last queued event's when it came from
    /// that host; its <c>time_us</c> minus <see cref="JetstreamOptions.FailoverRewind"/> when it came from another
    /// (cursors are per instance, times roughly agree); else the configured start.
    /// </summary>
    public long? CursorFor(int endpoint) =>
        LastCursor is { } c
            ? LastEndpoint == endpoint ? c : StoredCursorTime.Rewound(LastTimeUs, _options.FailoverRewind)
            : _configuredCursorAbandoned ? null : _options.Cursor;

    /// <summary>
    /// The replay floor for a connection to host <paramref name="endpoint"/>: the last queued event's cursor, when it
    /// came from the same host. Never the configured start cursor, nor a rewound one: a configured cursor asks for an
    /// inclusive replay, and a timestamp must never become a sequence floor. On v2 the floor holds for the whole
    /// connection (the server sends strictly increasing seqs); on v1 it ends at the first newer event, because legacy
    /// servers may reorder at the replay-to-live cutover.
    /// </summary>
    public ReplayFloor? FloorFor(int endpoint) =>
        LastCursor is { } c && LastEndpoint == endpoint ? new ReplayFloor(c, LastIsSeq, _options.Protocol == JetstreamProtocol.V2) : null;

    /// <summary>The last sequence number from host <paramref name="endpoint"/>, if the last cursor is one from there.</summary>
    public long? LastSequenceFrom(int endpoint) => LastCursor is { } last && LastIsSeq && LastEndpoint == endpoint ? last : null;

    /// <summary><paramref name="e"/>, from host <paramref name="endpoint"/>, is queued for the subscriber (passed to the buffer): the next reconnect resumes from it.</summary>
    public void Advance(JetstreamEvent e, int endpoint)
    {
        LastCursor = e.Cursor;
        LastIsSeq = e.ServerCursor is not null;
        LastTimeUs = e.TimeUs;
        LastEndpoint = endpoint;
    }

    /// <summary>A stored cursor was loaded: it counts as the last handled (and queued) event.</summary>
    public void Restore(long cursor, bool isSeq, long timeUs, int endpoint)
    {
        LastCursor = cursor;
        LastIsSeq = isSeq;
        LastTimeUs = timeUs;
        LastEndpoint = endpoint;
    }

    /// <summary>The server no longer has the cursor (v2 <c>CursorTooOld</c> with restart from live): forget it and the configured start.</summary>
    public void RestartFromLive()
    {
        LastCursor = null;
        _configuredCursorAbandoned = true;
    }
}
