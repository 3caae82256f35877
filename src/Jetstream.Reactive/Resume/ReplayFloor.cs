namespace Jetstream.Reactive.Resume;

/// <summary>Events at or below this cursor, right after a reconnect, are the server's inclusive replay of what was queued.</summary>
/// <param name="Cursor">The last queued event's cursor.</param>
/// <param name="IsSeq">Whether it is a v2 sequence number (else a <c>time_us</c>).</param>
/// <param name="Persistent">Whether the floor holds for the whole connection (v2), or ends at the first newer event (v1).</param>
internal readonly record struct ReplayFloor(long Cursor, bool IsSeq, bool Persistent)
{
    /// <summary>
    /// The server replays inclusively from the cursor, so a sequence number below it is never a replay: the host's
    /// numbering restarted (an instance replaced behind the same name).
    /// </summary>
    public bool IsReset(JetstreamEvent e) => IsSeq && e.ServerCursor is { } seq && seq < Cursor;

    public bool Covers(JetstreamEvent e) => IsSeq ? e.ServerCursor is { } seq && seq <= Cursor : e.TimeUs <= Cursor;
}
