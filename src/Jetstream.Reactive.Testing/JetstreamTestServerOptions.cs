using Jetstream.Reactive.Compression;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Testing;

/// <summary>Settings of a <see cref="JetstreamTestServer"/>. Every property has a working default.</summary>
public sealed record JetstreamTestServerOptions
{
    /// <summary>The events to serve. Default none: publish them with <see cref="JetstreamTestServer.Publish(string[])"/>.</summary>
    public JetstreamEventSource? Events { get; init; }

    /// <summary>Replay the source at once, or ingest it live at <see cref="EventsPerSecond"/>. Default <see cref="EmulatorMode.Replay"/>.</summary>
    public EmulatorMode Mode { get; init; } = EmulatorMode.Replay;

    /// <summary>The ingest rate in <see cref="EmulatorMode.Live"/>. Default 1,000; from 0.001 to 10,000,000.</summary>
    public double EventsPerSecond { get; init; } = 1_000;

    /// <summary>In <see cref="EmulatorMode.Live"/>, start the source again when it runs out. Default <see langword="false"/>.</summary>
    public bool LoopSource { get; init; }

    /// <summary>Which server <c>/subscribe</c> behaves like. Default <see cref="ServerFlavor.Current"/>.</summary>
    public ServerFlavor Flavor { get; init; } = ServerFlavor.Current;

    /// <summary>How many events the server keeps for cursor replay; older ones are trimmed (the lookback floor rises). Default 1,000,000.</summary>
    public int RetainedEvents { get; init; } = 1_000_000;

    /// <summary>
    /// How many connection records <see cref="JetstreamTestServer.Connections"/> keeps (the newest): a server that runs for
    /// hours (<c>jetstream serve</c>) must not keep every connection forever. Each record also keeps only its newest
    /// 100,000 sent sequence numbers and 1,000 client messages. Default 1,000; at least 1.
    /// </summary>
    public int MaxConnectionHistory { get; init; } = 1_000;

    /// <summary>
    /// Web origins (such as <c>http://localhost:5173</c>) allowed to open a connection from a browser, besides loopback
    /// ones. A request whose <c>Origin</c> header names any other origin is refused with 403, so a web page the user
    /// happens to visit cannot use the emulator on 127.0.0.1. Requests without an <c>Origin</c> (every non-browser
    /// client) are not affected. Default none.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>The loopback port; 0 (the default) picks a free one. The server only ever binds 127.0.0.1.</summary>
    public int Port { get; init; }

    /// <summary>The clock for <c>time_us</c> stamps and the live ingest rate. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often the server pings each connection. Default 30 s, as the real servers.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the newer server (<see cref="ServerFlavor.Current"/>) waits for the pong to each ping before it drops the connection. Default 5 s, as the real server.</summary>
    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How fast a resume with a cursor scans history, in events per second: the events the connection's filter skips
    /// cost time but send nothing, so a sparse filter resumed from an old cursor is silent until the first match, as on
    /// the real servers (about 50,000 events/s per IP on legacy hosts). Default 50,000; <see langword="null"/> scans at
    /// once. Live events are never paced.
    /// </summary>
    public double? ReplayScanRate { get; init; } = 50_000;

    /// <summary>
    /// The v1 outbox per live connection: when a reader falls this many events behind while live, the server ends the
    /// TCP connection without a close frame, as the legacy server does. Default 10,000.
    /// </summary>
    public int SlowSubscriberOutbox { get; init; } = 10_000;

    /// <summary>The v2 zstd dictionaries the server knows; the last is current. Default the bundled one (ID 20260811).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> V2Dictionaries { get; init; } = [JetstreamZstdDictionaries.BundledV2];

    /// <summary>The faults each new connection gets. Default none; also reachable as <see cref="JetstreamTestServer.Faults"/>.</summary>
    public FaultPlan Faults { get; init; } = new();

    /// <summary>The seed of everything random the server does (garbage frames). Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where the server's own logs go (Kestrel's included). Default none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Rows per block when <see cref="JetstreamTestServer.SealArchive"/> writes a segment (the real server's default is 4096).</summary>
    public int ArchiveEventsPerBlock { get; init; } = 4096;

    /// <summary>The planner's page cap in entries (the real server's default is 100,000; 0 means no cap). Small values force paging.</summary>
    public int ArchivePlanMaxEntries { get; init; } = 100_000;

    /// <summary>When set, planSnapshot, getSegment and getBlock require <c>Authorization: Bearer</c> this key, else 401 <c>AuthRequired</c>.</summary>
    public string? ArchiveApiKey { get; init; }
}
