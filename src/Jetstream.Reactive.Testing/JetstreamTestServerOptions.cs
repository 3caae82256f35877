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
}
