using System.Reactive.Concurrency;

namespace Jetstream.Reactive.Hosting;

/// <summary>
/// The settings of the hosted Jetstream consumer, bound from configuration (such as the <c>Jetstream</c> section of
/// <c>appsettings.json</c>) and/or set in code. The client settings mirror <see cref="JetstreamOptions"/>, with the same
/// defaults and rules; the rest belong to the host (cursor file, handler buffers, shutdown, health). Every value is
/// checked when the host starts, and each message names the configuration key (<c>Jetstream:BufferCapacity</c>).
/// </summary>
/// <remarks>
/// Services come from dependency injection, not from here: the logger factory and meter factory are the host's, and an
/// <see cref="Transport.IJetstreamTransport"/>, <see cref="Transport.IJetstreamDictionarySource"/>,
/// <see cref="ICursorStore"/> or <see cref="TimeProvider"/> registered in the container replaces the default.
/// </remarks>
public sealed class JetstreamHostingOptions
{
    private static readonly JetstreamOptions Defaults = new();

    /// <summary>The wire protocol (<see cref="JetstreamOptions.Protocol"/>). Default <see cref="JetstreamProtocol.V1"/>.</summary>
    public JetstreamProtocol Protocol { get; set; } = Defaults.Protocol;

    /// <summary>
    /// The server (<see cref="JetstreamOptions.Endpoint"/>). Default <see langword="null"/>: the library's default for
    /// <see cref="Protocol"/>. Leave it unset when <see cref="Endpoints"/> is set.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Several servers in order of preference, for failover (<see cref="JetstreamOptions.Endpoints"/>). Default empty.</summary>
    public IList<Uri> Endpoints { get; set; } = [];

    /// <summary>Failed attempts in a row before moving to the next of <see cref="Endpoints"/>. Default 3.</summary>
    public int FailoverAfterAttempts { get; set; } = Defaults.FailoverAfterAttempts;

    /// <summary>How far before the last event to resume on another server. Default 10 s.</summary>
    public TimeSpan FailoverRewind { get; set; } = Defaults.FailoverRewind;

    /// <summary>How many recent events are remembered to drop a rewound resume's repeats. Default 100,000.</summary>
    public int FailoverDedupeCapacity { get; set; } = Defaults.FailoverDedupeCapacity;

    /// <summary>Collections to receive commits for (<see cref="JetstreamOptions.WantedCollections"/>). Default empty: all.</summary>
    public IList<string> WantedCollections { get; set; } = [];

    /// <summary>Repositories to receive events for, as DIDs (<see cref="JetstreamOptions.WantedDids"/>). Default empty: all.</summary>
    public IList<string> WantedDids { get; set; } = [];

    /// <summary>The kinds of event to receive, protocol v2 only (<see cref="JetstreamOptions.Kinds"/>). Default empty: all.</summary>
    public IList<JetstreamEventKind> Kinds { get; set; } = [];

    /// <summary>
    /// Where to start when no cursor was saved (<see cref="JetstreamOptions.Cursor"/>). Default <see langword="null"/>:
    /// the live tail. A cursor saved in <see cref="CursorFile"/> (or the registered <see cref="ICursorStore"/>) wins.
    /// </summary>
    public long? Cursor { get; set; }

    /// <summary>What a v2 <c>CursorTooOld</c> rejection does (<see cref="JetstreamOptions.OnCursorTooOld"/>). Default <see cref="JetstreamCursorTooOldBehavior.Fail"/>.</summary>
    public JetstreamCursorTooOldBehavior OnCursorTooOld { get; set; } = Defaults.OnCursorTooOld;

    /// <summary>Asks the server to skip larger events (<see cref="JetstreamOptions.ServerMaxMessageSize"/>). Default <see langword="null"/>: not sent.</summary>
    public int? ServerMaxMessageSize { get; set; }

    /// <summary>
    /// What the connection's buffer does when the handlers' buffers cannot take events fast enough
    /// (<see cref="JetstreamOptions.Overflow"/>). Default <see cref="JetstreamOverflow.DropIncoming"/>. The handlers' buffers
    /// never wait, so this buffer rarely fills; each handler's own buffer drops for that handler alone.
    /// </summary>
    public JetstreamOverflow Overflow { get; set; } = Defaults.Overflow;

    /// <summary>
    /// After resuming from a timestamp cursor, a first event later than it by more than this is reported as a likely gap
    /// (<see cref="JetstreamOptions.GapThreshold"/>). Default 5 minutes.
    /// </summary>
    public TimeSpan GapThreshold { get; set; } = Defaults.GapThreshold;

    /// <summary>
    /// The connection's buffer between the socket and the handlers' buffers (<see cref="JetstreamOptions.BufferCapacity"/>).
    /// Default 10,000. Each handler has its own buffer as well (<see cref="HandlerBufferCapacity"/>).
    /// </summary>
    public int BufferCapacity { get; set; } = Defaults.BufferCapacity;

    /// <summary>
    /// The connection's buffer in bytes (<see cref="JetstreamOptions.BufferByteLimit"/>). Default 128 MiB; at least 64 KiB.
    /// </summary>
    public long BufferByteLimit { get; set; } = Defaults.BufferByteLimit;

    /// <summary>The delays between connection attempts (<see cref="JetstreamOptions.Backoff"/>). Default 250 ms doubling to 30 s, 20 % jitter.</summary>
    public JetstreamBackoffOptions Backoff { get; set; } = new();

    /// <summary>
    /// Keep each event's JSON as the server sent it in <see cref="JetstreamEvent.RawJson"/>
    /// (<see cref="JetstreamOptions.RetainRawJson"/>; protocol v1 only). Default <see langword="false"/>.
    /// </summary>
    public bool RetainRawJson { get; set; }

    /// <summary>
    /// How long an open connection may go without a message before it is made again (<see cref="JetstreamOptions.IdleTimeout"/>).
    /// Default unset: automatic, 60 s on an unfiltered stream and none on a filtered one (the keep-alive pings catch a dead
    /// peer there); <see cref="Timeout.InfiniteTimeSpan"/> (<c>-00:00:00.001</c> in configuration) never times out.
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; } = Defaults.IdleTimeout;

    /// <summary>How often the client pings the server to detect a dead peer (<see cref="JetstreamOptions.KeepAliveInterval"/>). Default 20 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = Defaults.KeepAliveInterval;

    /// <summary>How far an event's <c>time_us</c> may be ahead of the clock and still become the cursor (<see cref="JetstreamOptions.CursorClockTolerance"/>). Default 10 minutes.</summary>
    public TimeSpan CursorClockTolerance { get; set; } = Defaults.CursorClockTolerance;

    /// <summary>How long the client waits for each pong before the connection is dropped as dead (<see cref="JetstreamOptions.KeepAliveTimeout"/>). Default 10 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = Defaults.KeepAliveTimeout;

    /// <summary>The largest message accepted, in bytes (<see cref="JetstreamOptions.MaxMessageSize"/>). Default 32 MiB.</summary>
    public int MaxMessageSize { get; set; } = Defaults.MaxMessageSize;

    /// <summary>Whether to ask for zstd frames (<see cref="JetstreamOptions.Compression"/>). Default <see cref="JetstreamCompression.None"/>.</summary>
    public JetstreamCompression Compression { get; set; } = Defaults.Compression;

    /// <summary>Where fetched v2 zstd dictionaries are kept (<see cref="JetstreamOptions.ZstdDictionaryDirectory"/>). Default <see langword="null"/>: memory only.</summary>
    public string? ZstdDictionaryDirectory { get; set; }

    /// <summary>
    /// A file where the cursor of the last handled event is kept, so a restarted host resumes where it stopped (a
    /// <see cref="FileCursorStore"/>; its folder is created at start). A relative path is under the host's content root. Default <see langword="null"/>: the cursor is
    /// kept only if an <see cref="ICursorStore"/> is registered; otherwise every start begins at <see cref="Cursor"/>.
    /// </summary>
    public string? CursorFile { get; set; }

    /// <summary>
    /// How often the cursor of the last handled event is saved while the host runs, besides the save at shutdown
    /// (<see cref="JetstreamOptions.CursorSaveInterval"/>). Default 5 s; allowed from 100 ms to 1 hour. After a crash the
    /// events handled since the last save are received again, not skipped.
    /// </summary>
    public TimeSpan CursorSaveInterval { get; set; } = Defaults.CursorSaveInterval;

    /// <summary>
    /// How many events may wait for each handler (each registration has its own buffer, so a slow handler never delays
    /// another). When a handler's buffer is full, each further event is dropped for that handler and counted. Default
    /// 10,000; allowed from 1 to 10,000,000. A registration may set its own (<see cref="JetstreamHandlerOptions.BufferCapacity"/>).
    /// </summary>
    public int HandlerBufferCapacity { get; set; } = 10_000;

    /// <summary>
    /// How many bytes of events may wait for each handler (each event's payload plus about 512 bytes). An event that would
    /// go over it is dropped for that handler and counted like one over <see cref="HandlerBufferCapacity"/>, except into an
    /// empty buffer. Default 64 MiB; at least 64 KiB.
    /// </summary>
    public long HandlerBufferByteLimit { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// At shutdown, how long the handlers may take to finish the events already in their buffers before their tokens
    /// are cancelled. Default 10 s; allowed from 0 to 1 hour. The host's own shutdown timeout also bounds the wait.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The lag above which the health check reports <c>Degraded</c>: for the stream, the time between an event's
    /// <c>time_us</c> and its arrival; for a handler, between <c>time_us</c> and the end of its handling. Default 1 minute;
    /// allowed from 1 s to 1 day. On an unfiltered stream it also bounds silence: connected with no event for longer than
    /// this is <c>Degraded</c> (the firehose is never quiet, so the stream has stopped delivering).
    /// </summary>
    public TimeSpan HealthLagThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether the host stops when the stream ends with an error that reconnecting cannot fix (a rejected request, an
    /// invalid saved cursor), as a failed <c>BackgroundService</c> does. Default <see langword="true"/>. When
    /// <see langword="false"/>, the host goes on and the health check reports <c>Unhealthy</c>.
    /// </summary>
    public bool StopHostOnFailure { get; set; } = true;

    /// <summary>
    /// New filters for the running stream (<see cref="JetstreamOptions.FilterUpdates"/>). Code only; default
    /// <see langword="null"/>. Set it with <c>AddOptions&lt;JetstreamHostingOptions&gt;().Configure&lt;TService&gt;(…)</c>
    /// to take it from a service.
    /// </summary>
    public IObservable<JetstreamFilter>? FilterUpdates { get; set; }

    /// <summary>Receives each likely gap after a resume (<see cref="JetstreamOptions.Gaps"/>). Code only; default <see langword="null"/>: gaps are logged and counted.</summary>
    public IObserver<JetstreamGap>? Gaps { get; set; }

    /// <summary>The scheduler for the client's timers and delivery (<see cref="JetstreamOptions.Scheduler"/>). Code only; default <see langword="null"/>: <see cref="DefaultScheduler.Instance"/>.</summary>
    public IScheduler? Scheduler { get; set; }
}

/// <summary>The settings of <see cref="BackoffPolicy"/>, bindable from configuration (<c>Jetstream:Backoff:MaxDelay</c>).</summary>
public sealed class JetstreamBackoffOptions
{
    /// <summary>The delay before the first retry (<see cref="BackoffPolicy.InitialDelay"/>). Default 250 ms.</summary>
    public TimeSpan InitialDelay { get; set; } = BackoffPolicy.Default.InitialDelay;

    /// <summary>The longest delay (<see cref="BackoffPolicy.MaxDelay"/>). Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = BackoffPolicy.Default.MaxDelay;

    /// <summary>The factor between one delay and the next (<see cref="BackoffPolicy.Multiplier"/>). Default 2.</summary>
    public double Multiplier { get; set; } = BackoffPolicy.Default.Multiplier;

    /// <summary>The largest fraction a delay is shortened by at random (<see cref="BackoffPolicy.Jitter"/>). Default 0.2.</summary>
    public double Jitter { get; set; } = BackoffPolicy.Default.Jitter;
}
