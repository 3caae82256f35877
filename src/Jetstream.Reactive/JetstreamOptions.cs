using System.Diagnostics.Metrics;
using System.Reactive.Concurrency;
using Jetstream.Reactive.Transport;
using Jetstream.Reactive.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

// Why this file is over 300 lines: it is the public options record, one init property per option with its default and
// allowed range in the XML doc (DocsMatchCodeTests compares them with docs/configuration.md); the rules themselves live
// in Validation/OptionsValidation.

namespace Jetstream.Reactive;

/// <summary>
/// Settings of one Jetstream consumer. Every property has a working default; <see cref="Validate"/> (called by
/// <see cref="JetstreamObservable.Connect"/>) checks them all at once and names each bad option, its value and what is allowed.
/// </summary>
public sealed record JetstreamOptions
{
    /// <summary>The default <see cref="BufferByteLimit"/>: 128 MiB.</summary>
    public const long DefaultBufferByteLimit = 128L * 1024 * 1024;

    /// <summary>The smallest <see cref="BufferByteLimit"/> allowed: 64 KiB.</summary>
    public const long MinBufferByteLimit = 64L * 1024;

    /// <summary>The most collection filters a server accepts (full NSIDs plus <c>prefix.*</c> patterns, after removing duplicates).</summary>
    public const int MaxWantedCollections = 100;

    /// <summary>The most DIDs a server accepts (after removing duplicates).</summary>
    public const int MaxWantedDids = 10_000;

    /// <summary>
    /// The public host used when <see cref="Endpoint"/> is not set: <c>wss://jetstream2.us-east.bsky.network</c>, a
    /// legacy server that speaks protocol v1 only.
    /// </summary>
    public static Uri DefaultEndpoint { get; } = new("wss://jetstream2.us-east.bsky.network");

    /// <summary>
    /// The public host used for protocol v2 when <see cref="Endpoint"/> is left at <see cref="DefaultEndpoint"/>:
    /// <c>wss://jetstream.us-east.bsky.network</c>, a newer server that speaks v1 and v2.
    /// </summary>
    public static Uri DefaultV2Endpoint { get; } = new("wss://jetstream.us-east.bsky.network");

    /// <summary>
    /// The wire protocol. Default <see cref="JetstreamProtocol.V1"/>, which every public host speaks;
    /// <see cref="JetstreamProtocol.V2"/> needs a newer server (see <see cref="DefaultV2Endpoint"/>). Cursors of one
    /// protocol mean nothing in the other.
    /// </summary>
    public JetstreamProtocol Protocol { get; init; } = JetstreamProtocol.V1;

    /// <summary>
    /// The server: <c>wss://host</c> or <c>ws://host:port</c>, with or without a path. When the path is empty or
    /// <c>/</c>, the protocol's path is used (<c>/subscribe</c> for v1, <c>/xrpc/network.bsky.jetstream.subscribeEvents</c>
    /// for v2). It must not carry a query or fragment: filters and cursor are options. Default
    /// <see cref="DefaultEndpoint"/>, which means <see cref="DefaultV2Endpoint"/> when <see cref="Protocol"/> is v2.
    /// </summary>
    public Uri Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>
    /// Several servers, in order of preference, for failover; <see cref="Endpoint"/> is the one-server shorthand. Default
    /// empty: just <see cref="Endpoint"/>. When set, <see cref="Endpoint"/> must be left at its default. The stream
    /// starts on the first; after <see cref="FailoverAfterAttempts"/> failed attempts in a row it moves to the next (after
    /// the last, back to the first), resuming <see cref="FailoverRewind"/> before the last queued event's
    /// <see cref="JetstreamEvent.TimeUs"/> and dropping the events it already queued for the subscriber. Each must be valid as
    /// <see cref="Endpoint"/> and appear once.
    /// </summary>
    public IReadOnlyList<Uri> Endpoints { get; init; } = [];

    /// <summary>
    /// How many attempts in a row may fail on one of <see cref="Endpoints"/> (without queuing an event) before the
    /// stream moves to the next. Default 3; allowed from 1 to 1,000. An attempt that queues an event resets the count.
    /// </summary>
    public int FailoverAfterAttempts { get; init; } = 3;

    /// <summary>
    /// How far before the last queued event the stream resumes after moving to another of <see cref="Endpoints"/>:
    /// hosts stamp events with their own clocks and sequence numbers, so the new host is asked for
    /// <c>time_us − FailoverRewind</c> (a timestamp cursor, on v2 as well). Default 10 s; allowed from 0 to 1 day.
    /// </summary>
    public TimeSpan FailoverRewind { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many recently queued events are remembered, when <see cref="Endpoints"/> has more than one server, so that
    /// the ones a rewound resume sends again are dropped. Default 100,000 (about 2 MB); allowed from 1 to 10,000,000.
    /// It should cover <see cref="FailoverRewind"/> at your stream's rate.
    /// </summary>
    public int FailoverDedupeCapacity { get; init; } = 100_000;

    /// <summary>
    /// Collections to receive commits for: full NSIDs (<c>app.bsky.feed.post</c>) or prefixes ending in <c>.*</c>
    /// (<c>app.bsky.graph.*</c>). Empty (the default) means all. Identity and account events are delivered whatever
    /// this says. At most <see cref="MaxWantedCollections"/> distinct values. On v2 the part before <c>.*</c> must have
    /// at least two segments (<c>app.bsky.*</c>, not <c>app.*</c>), as the v2 server checks.
    /// </summary>
    public IReadOnlyList<string> WantedCollections { get; init; } = [];

    /// <summary>
    /// Repositories to receive events for, as DIDs (<c>did:plc:…</c>, <c>did:web:…</c>). Empty (the default) means all.
    /// At most <see cref="MaxWantedDids"/> distinct values. On v1, when the URL would exceed about 8 KB, the client
    /// connects with <c>requireHello=true</c> and sends the filters in one <c>options_update</c> message instead; v2 has
    /// no such message, so the DIDs always go in the URL.
    /// </summary>
    public IReadOnlyList<string> WantedDids { get; init; } = [];

    /// <summary>
    /// New filters for the running stream, replacing <see cref="WantedCollections"/> and <see cref="WantedDids"/> each
    /// time it emits. Default <see langword="null"/>: the filters never change. Each subscription to the stream subscribes
    /// to it and stops when disposed. On v1 every valid update is sent at once as one <c>options_update</c> message with
    /// both lists in full, and the latest filter is used for every reconnect; on v2 (which has no client messages) the
    /// connection is made again at once from the cursor with the new parameters. An invalid update is logged, counted
    /// and ignored. An error from this source is logged and the last filter stays.
    /// </summary>
    public IObservable<JetstreamFilter>? FilterUpdates { get; init; }

    /// <summary>
    /// The kinds of event to receive (protocol v2 only: <c>kinds</c>). Empty (the default) means all. On v1 the server
    /// always sends identity and account events, so this option is rejected there. When it is set without
    /// <see cref="JetstreamEventKind.Commit"/>, <see cref="WantedCollections"/> must be empty.
    /// </summary>
    public IReadOnlyList<JetstreamEventKind> Kinds { get; init; } = [];

    /// <summary>
    /// Where to start: a value of <see cref="JetstreamEvent.Cursor"/> from an earlier run (unix microseconds, or the
    /// newer server's sequence number; on v2 a sequence number, or unix microseconds when 10^15 or more). The server's
    /// replay is inclusive, so the event at the cursor comes again. <see langword="null"/> (the default) starts at the
    /// live tail. Must be 0 or more.
    /// </summary>
    public long? Cursor { get; init; }

    /// <summary>
    /// What to do when a v2 server answers <c>CursorTooOld</c> (the cursor is below what it keeps). Default
    /// <see cref="JetstreamCursorTooOldBehavior.Fail"/>: the stream ends with the error. Protocol v2 only: a v1 server
    /// silently starts at its oldest event instead.
    /// </summary>
    public JetstreamCursorTooOldBehavior OnCursorTooOld { get; init; } = JetstreamCursorTooOldBehavior.Fail;

    /// <summary>
    /// Asks the server to skip events whose JSON is larger than this many bytes (<c>maxMessageSizeBytes</c>). Default
    /// <see langword="null"/>: not sent. Allowed from 1 to 2,147,483,647. Lossy (a skipped event may be a deletion), and
    /// a no-op on legacy v1 servers; <see cref="MaxMessageSize"/> is the client-side limit.
    /// </summary>
    public int? ServerMaxMessageSize { get; init; }

    /// <summary>
    /// Where the cursor of the last event <em>handled</em> is kept, so that a restarted process resumes where it stopped
    /// (<see cref="FileCursorStore"/>, or your own <see cref="ICursorStore"/>). When set, the saved cursor is loaded before
    /// the first connection and takes precedence over <see cref="Cursor"/> — unless it belongs to the other protocol,
    /// which is never sent (a Warning says so). It is saved every <see cref="CursorSaveInterval"/> when it moved, and when
    /// the subscription is disposed. "Handled" means the observer's <c>OnNext</c> returned, or the
    /// <c>SubscribeAsync</c> handler finished (a handler that threw under <c>OnHandlerError = Continue</c> counts as
    /// finished, so a restart does not retry it). This is behind the in-memory resume cursor, which is the last event
    /// <em>queued</em> for the subscriber. Default <see langword="null"/>: nothing is saved.
    /// </summary>
    public ICursorStore? CursorStore { get; init; }

    /// <summary>How often a moved cursor is saved to <see cref="CursorStore"/>. Default 5 s; allowed from 100 ms to 1 hour. Timed on <see cref="Scheduler"/>.</summary>
    public TimeSpan CursorSaveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What a full buffer does: drop incoming events (the default, <see cref="JetstreamOverflow.DropIncoming"/>) or pause
    /// the connection and resume from the cursor once the subscriber caught up (<see cref="JetstreamOverflow.ResumeFromCursor"/>).
    /// </summary>
    public JetstreamOverflow Overflow { get; init; } = JetstreamOverflow.DropIncoming;

    /// <summary>
    /// After connecting with a timestamp cursor, a first event later than the cursor by more than this is reported as a
    /// likely gap (<see cref="Gaps"/>). A sparse filter can legitimately be quiet this long, so set it above the quietest
    /// stretch you expect. Default 5 minutes; allowed from 1 s to 30 days, or <see cref="Timeout.InfiniteTimeSpan"/> to
    /// check only sequence-number cursors on unfiltered streams.
    /// </summary>
    public TimeSpan GapThreshold { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Receives each likely gap after a resume (see <see cref="JetstreamGap"/>), on <see cref="Scheduler"/>, one call at a
    /// time and in order, even when several streams share it. An exception it throws is logged (Error) and the stream goes
    /// on. Default <see langword="null"/>: gaps are only logged and counted.
    /// </summary>
    public IObserver<JetstreamGap>? Gaps { get; init; }

    /// <summary>
    /// Receives each change of the connection (<see cref="JetstreamConnectionStatus.Connecting"/>,
    /// <see cref="JetstreamConnectionStatus.Connected"/>, <see cref="JetstreamConnectionStatus.Reconnecting"/> with the
    /// retry number, delay and error, <see cref="JetstreamConnectionStatus.Stopped"/> with the final error), one at a
    /// time and in order, on <see cref="Scheduler"/>, never on the socket reader. For health checks and dashboards. An
    /// observer that throws is logged (<c>ConnectionStateObserverFailed</c>) and the stream goes on. Default none.
    /// </summary>
    public IObserver<JetstreamConnectionState>? ConnectionStates { get; init; }

    /// <summary>
    /// How many events may wait between the socket reader and the subscriber. When it is full, each further
    /// incoming event is dropped and counted (the events already queued are kept). Default 10,000; allowed from 1 to 10,000,000.
    /// </summary>
    public int BufferCapacity { get; init; } = 10_000;

    /// <summary>
    /// How many bytes of events may wait between the socket reader and the subscriber, counting each event's payload (a
    /// record's JSON, a sync event's blocks) plus about 512 bytes for the object. When an event would go over it, it is
    /// dropped and counted like one over <see cref="BufferCapacity"/> (with <see cref="JetstreamOverflow.ResumeFromCursor"/>
    /// it pauses the connection instead); an event larger than the whole budget still gets into an empty buffer. Without
    /// it a server could fill <see cref="BufferCapacity"/> events of up to <see cref="MaxMessageSize"/> each (a 1 KiB zstd
    /// frame can decompress to that). Default <see cref="DefaultBufferByteLimit"/> (128 MiB), which with the default
    /// <see cref="MaxMessageSize"/> keeps a client under a few hundred MB whatever the server sends; at least
    /// <see cref="MinBufferByteLimit"/>.
    /// </summary>
    public long BufferByteLimit { get; init; } = DefaultBufferByteLimit;

    /// <summary>The delays between connection attempts. Default <see cref="BackoffPolicy.Default"/> (250 ms to 30 s).</summary>
    public BackoffPolicy Backoff { get; init; } = BackoffPolicy.Default;

    /// <summary>
    /// Data-silence detection: how long an open connection may go without receiving any message before it is dropped and
    /// re-made from the cursor (for a server that keeps the socket open and answers pings but stops sending, legacy issue
    /// #48). Default <see langword="null"/>: automatic — <see cref="DefaultIdleTimeout"/> on an unfiltered stream, where
    /// silence cannot be healthy, and none on a filtered one (<see cref="WantedCollections"/>, <see cref="WantedDids"/>
    /// or <see cref="Kinds"/> set, as of each connection), which may legitimately be silent for hours and whose resume may
    /// sit behind a silent server-side replay scan; a dead peer is caught there by <see cref="KeepAliveInterval"/>. A value
    /// applies to every stream, filtered or not (then set it above the longest silence and the longest replay scan you
    /// expect); allowed from 1 s to 1 day, or <see cref="Timeout.InfiniteTimeSpan"/> to never drop a connection for
    /// silence. The handshake is always bounded by this value, or by <see cref="DefaultIdleTimeout"/> when it is
    /// automatic or infinite. Timed on <see cref="Scheduler"/>.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>The data-silence timeout of an unfiltered stream, and the handshake timeout, when <see cref="IdleTimeout"/> is <see langword="null"/>: 60 s.</summary>
    public static TimeSpan DefaultIdleTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Dead-peer detection: how often the client pings the server at the WebSocket level (whether or not data flows).
    /// Default 20 s; allowed from 100 ms to 1 hour, or <see cref="Timeout.InfiniteTimeSpan"/> to send no pings. Passed to
    /// the transport (<see cref="JetstreamConnectRequest.KeepAliveInterval"/>); the default transport uses the runtime's
    /// keep-alive, which runs on real time, not on <see cref="Scheduler"/>.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the client waits for the pong to each keep-alive ping before it aborts the connection as dead and
    /// reconnects from the cursor (a peer that stopped answering, such as a silent network partition). A dead peer is
    /// thus detected within <see cref="KeepAliveInterval"/> + <see cref="KeepAliveTimeout"/>. Default 10 s; allowed from
    /// 100 ms to 10 minutes, or <see cref="Timeout.InfiniteTimeSpan"/> to ping without waiting for the pong.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Cursor integrity: how far an event's <c>time_us</c> may be ahead of the later of the client's clock
    /// (<see cref="Scheduler"/>'s <c>Now</c>) and the last trusted cursor's <c>time_us</c> and still become the resume
    /// cursor, the replay floor and the saved cursor. An event past it (or with <c>time_us</c> ≤ 0, or after the year
    /// 2100; or, with a sequence number, one ≤ 0, ≥ 10^15 or more than 10^12 past the last one from the same host) is
    /// delivered but never moves the cursor; it is counted in <c>jetstream.client.cursor.implausible</c> and logged once
    /// per run of such events. The clock check applies only while the clock reads after 2020 (not on a virtual-time
    /// scheduler left at its origin). Default 10 minutes; allowed from 1 s to 30 days, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> to check only the fixed bounds.
    /// </summary>
    public TimeSpan CursorClockTolerance { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The largest message accepted, in bytes, both as received and, for a zstd frame, once decompressed. A larger message
    /// is buffered up to the limit and the rest read and thrown away, then skipped and counted as <see cref="MalformedFrameReason.TooLarge"/>; a
    /// zstd frame that would decompress to more is skipped and counted as
    /// <see cref="MalformedFrameReason.DecompressedTooLarge"/>. Default 32 MiB; allowed from 1 KiB to 1 GiB.
    /// </summary>
    public int MaxMessageSize { get; init; } = 32 * 1024 * 1024;

    /// <summary>
    /// Whether to ask the server for zstd-compressed frames. Default <see cref="JetstreamCompression.None"/>. With
    /// <see cref="JetstreamCompression.Zstd"/>, v1 sends <c>compress=true</c> and decodes binary frames with the bundled v1
    /// dictionary; v2 fetches the server's current dictionary (through <see cref="DictionarySource"/>, falling back to
    /// the bundled one) and sends <c>zstdDictionary=&lt;id&gt;</c>. Text and binary frames are both decoded whatever is
    /// asked for, and a decompressed frame is held to <see cref="MaxMessageSize"/> as well.
    /// </summary>
    public JetstreamCompression Compression { get; init; } = JetstreamCompression.None;

    /// <summary>
    /// A directory where fetched v2 zstd dictionaries are kept by ID (<c>jetstream-zstd-&lt;id&gt;.zdict</c>), so a
    /// dictionary the server names after a rotation is read from disk instead of downloaded again. Default
    /// <see langword="null"/>: dictionaries are cached in memory only. Protocol v2 only. Created when missing.
    /// </summary>
    public string? ZstdDictionaryDirectory { get; init; }

    /// <summary>
    /// The scheduler for every timer (backoff, idle timeout) and for delivering events to the subscriber.
    /// Default <see cref="DefaultScheduler.Instance"/>; tests pass a <c>TestScheduler</c>. <see cref="ImmediateScheduler"/> and
    /// <see cref="CurrentThreadScheduler"/> are rejected: they would run the subscriber on the socket reader's thread.
    /// </summary>
    public IScheduler Scheduler { get; init; } = DefaultScheduler.Instance;

    /// <summary>Where logs go. Default <see cref="NullLoggerFactory.Instance"/>.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Creates the <see cref="JetstreamTelemetry.MeterName"/> meter. Default <see langword="null"/>: a process-wide meter
    /// of that name, which any <see cref="MeterListener"/> or OpenTelemetry exporter sees.
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Opens WebSocket connections. Default <see cref="ClientWebSocketTransport.Default"/>; tests replace it.</summary>
    public IJetstreamTransport Transport { get; init; } = ClientWebSocketTransport.Default;

    /// <summary>
    /// Downloads v2 zstd dictionaries from the host being connected to. Default <see cref="ClientWebSocketTransport.Default"/>;
    /// tests replace it. Used only with protocol v2 and <see cref="JetstreamCompression.Zstd"/>.
    /// </summary>
    public IJetstreamDictionarySource DictionarySource { get; init; } = ClientWebSocketTransport.Default;

    /// <summary>
    /// Keep a copy of each event's JSON as the server sent it in <see cref="JetstreamEvent.RawJson"/> (protocol
    /// <see cref="JetstreamProtocol.V1"/> only; one array per event). Default <see langword="false"/>. Relays that forward
    /// events unchanged set it.
    /// </summary>
    public bool RetainRawJson { get; init; }

    /// <summary>Checks every option and throws one exception that lists each problem.</summary>
    /// <exception cref="JetstreamOptionsException">At least one option is out of range; the message says which, its value and what is allowed.</exception>
    public void Validate()
    {
        var errors = OptionsValidation.GetErrors(this).ToList();
        if (errors.Count > 0)
        {
            throw new JetstreamOptionsException(errors);
        }
    }
}
