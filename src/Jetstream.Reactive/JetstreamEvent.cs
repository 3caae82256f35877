namespace Jetstream.Reactive;

/// <summary>
/// One event from Jetstream. The concrete type is <see cref="CommitEvent"/>, <see cref="IdentityEvent"/>,
/// <see cref="AccountEvent"/> or (protocol v2 only) <see cref="SyncEvent"/>; frames of any other kind are skipped and
/// counted, never delivered.
/// </summary>
/// <remarks>Events are immutable and safe to hand to other threads.</remarks>
public abstract class JetstreamEvent
{
    private protected JetstreamEvent(string did, long timeUs, long? serverCursor)
    {
        Did = did;
        TimeUs = timeUs;
        ServerCursor = serverCursor;
    }

    /// <summary>A copy of <paramref name="source"/> with its origin and raw JSON: built before anyone else sees it.</summary>
    private protected JetstreamEvent(JetstreamEvent source, EventOrigin origin, ReadOnlyMemory<byte> rawJson)
    {
        Did = source.Did;
        TimeUs = source.TimeUs;
        ServerCursor = source.ServerCursor;
        Origin = origin;
        RawJson = rawJson;
    }

    /// <summary>The DID of the repository the event belongs to (<c>did</c>).</summary>
    public string Did { get; }

    /// <summary>
    /// The Jetstream timestamp in microseconds since the Unix epoch (v1 <c>time_us</c>; v2 <c>time</c>, converted). On the
    /// original (legacy) servers it is unique and increasing per instance and is the cursor; on the newer server it is
    /// shared by every event of one ingest batch.
    /// </summary>
    public long TimeUs { get; }

    /// <summary>
    /// The server's sequence number for this event: the v2 <c>seq</c>, or the top-level <c>cursor</c> field that the newer
    /// server adds to v1 frames; <see langword="null"/> on legacy servers. It only means something on the instance that
    /// issued it.
    /// </summary>
    public long? ServerCursor { get; }

    /// <summary>
    /// The value to resume from so that this event is replayed (the server's replay is inclusive): the server's
    /// sequence number when it sent one (<see cref="ServerCursor"/>), otherwise <see cref="TimeUs"/>. Pass it as
    /// <see cref="JetstreamOptions.Cursor"/> to continue after a restart.
    /// </summary>
    public long Cursor => ServerCursor ?? TimeUs;

    /// <summary><see cref="TimeUs"/> as a UTC <see cref="DateTimeOffset"/> (microsecond precision).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="TimeUs"/> is outside the years 1 to 9999.</exception>
    public DateTimeOffset Timestamp
    {
        get
        {
            const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;
            const long MaxTimeUs = (long.MaxValue / TicksPerMicrosecond) - 1;
            if (TimeUs is > MaxTimeUs or < -MaxTimeUs)
            {
                throw new ArgumentOutOfRangeException(nameof(TimeUs), TimeUs, "time_us is outside the range of DateTimeOffset.");
            }

            return DateTimeOffset.UnixEpoch.AddTicks(TimeUs * TicksPerMicrosecond);
        }
    }

    /// <summary>
    /// The event's JSON exactly as the server sent it (after decompression), when
    /// <see cref="JetstreamOptions.RetainRawJson"/> is set and the protocol is <see cref="JetstreamProtocol.V1"/>;
    /// otherwise empty. Relays that forward events use it so the record is never re-encoded.
    /// </summary>
    public ReadOnlyMemory<byte> RawJson { get; }

    /// <summary>
    /// Where the event was read and whether its cursor is trusted, fixed when the event is built (#13: events are
    /// immutable for real). The decoder builds events with the default origin (endpoint 0, trusted); the connection's
    /// consumer gives the rare other ones theirs with <see cref="WithOrigin"/> before handing them on.
    /// </summary>
    internal EventOrigin Origin { get; }

    /// <summary>
    /// Which host the event was read from: its index in <see cref="JetstreamOptions.Endpoints"/> (in the order given), or
    /// 0 when only <see cref="JetstreamOptions.Endpoint"/> is set. A <see cref="ServerCursor"/> only means something on the
    /// host that issued it, so code that stores cursors itself (a relay's headers, a database row) records this host
    /// beside the cursor. Fixed when the event is built.
    /// </summary>
    public int EndpointIndex => Origin.EndpointIndex;

    /// <summary>The event's cursor failed the plausibility check: passed on, but never the resume cursor nor the saved one.</summary>
    internal bool CursorUntrusted => Origin.CursorUntrusted;

    /// <summary>
    /// Whether the stream trusts this event's cursor (see <see cref="JetstreamOptions.CursorClockTolerance"/>). It is
    /// <see langword="false"/> for a cursor that cannot be right (not positive, absurdly far ahead of the previous one or
    /// of the clock): the event is still delivered, but the stream never resumes from that cursor or saves it. Code that
    /// saves cursors itself should skip such an event too, or one hostile value would stick across restarts.
    /// </summary>
    public bool IsCursorTrusted => !CursorUntrusted;

    /// <summary>The kind of this event.</summary>
    public abstract JetstreamEventKind Kind { get; }

    /// <summary>A copy of this event with <paramref name="origin"/> and <paramref name="rawJson"/> (the event itself is never changed).</summary>
    internal abstract JetstreamEvent WithOrigin(EventOrigin origin, ReadOnlyMemory<byte> rawJson);
}
