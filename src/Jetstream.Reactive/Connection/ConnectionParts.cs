using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Reconnect;
using Jetstream.Reactive.Resume;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Connection;

/// <summary>
/// The parts of one subscription whose state survives reconnects (resume position, cursor saver, overflow gate, filter
/// state, endpoint rotation, reconnect policy, v2 compression), built once by the <see cref="JetstreamSession"/> and
/// handed to each <see cref="ConnectionAttempt"/>. The attempt uses the parts; it never holds the session that creates
/// it, so neither calls the other back.
/// </summary>
internal sealed class ConnectionParts
{
    public ConnectionParts(JetstreamOptions options, JetstreamMetrics metrics, ILogger logger, ZstdDictionaryCache dictionaries, int capacity, long byteLimit)
    {
        Options = options;
        Metrics = metrics;
        Logger = logger;
        var endpoints = EndpointList.Resolve(options);
        var rotation = new EndpointRotation(options, endpoints);
        Rotation = rotation;
        Filters = new FilterState(options, Rotation.CurrentUri, metrics, logger);
        FilterRestarts = new FilterRestartGate(options.Scheduler);
        Position = new ResumePosition(options);
        Plausibility = new CursorPlausibility(options, Position, metrics, logger);
        StoredCursor = new StoredCursorLoader(options, endpoints, Position, Plausibility, metrics, logger);
        Saver = new CursorSaver(options, e => rotation.AuthorityOf(e.EndpointIndex), metrics, logger);
        Gaps = new GapDetector(options, metrics, logger);
        Overflow = new OverflowGate(options, capacity, byteLimit, metrics, logger);
        if (endpoints.Count > 1)
        {
            Recent = new RecentEventWindow(options.FailoverDedupeCapacity);
        }

        if (options.Protocol == JetstreamProtocol.V2 && options.Compression == JetstreamCompression.Zstd)
        {
            Compression = new V2Compression(dictionaries, options.DictionarySource, metrics, logger);
        }

        States = new ConnectionStateReporter(options, logger);
        Reconnect = new ReconnectPolicy(options, Position, Rotation, Filters, Compression, States, metrics, logger);
    }

    public JetstreamOptions Options { get; }

    public JetstreamMetrics Metrics { get; }

    public ILogger Logger { get; }

    /// <summary>Which host the next connection goes to.</summary>
    public EndpointRotation Rotation { get; }

    /// <summary>The filter and request of the next connection.</summary>
    public FilterState Filters { get; }

    /// <summary>Coalesces v2 filter changes into at most one reconnect per interval.</summary>
    public FilterRestartGate FilterRestarts { get; }

    /// <summary>Where the next connection resumes.</summary>
    public ResumePosition Position { get; }

    /// <summary>Whether a cursor can be right.</summary>
    public CursorPlausibility Plausibility { get; }

    /// <summary>The stored cursor, loaded before the first connection.</summary>
    public StoredCursorLoader StoredCursor { get; }

    /// <summary>The durable cursor's saves.</summary>
    public CursorSaver Saver { get; }

    /// <summary>Gaps after a resume.</summary>
    public GapDetector Gaps { get; }

    /// <summary>The buffer's depth, drops, and the overflow pause.</summary>
    public OverflowGate Overflow { get; }

    /// <summary>The connection's changes, for <see cref="JetstreamOptions.ConnectionStates"/>.</summary>
    public ConnectionStateReporter States { get; }

    /// <summary>What to do after a connection ends.</summary>
    public ReconnectPolicy Reconnect { get; }

    /// <summary>The v2 zstd state, when v2 compression was asked for.</summary>
    public V2Compression? Compression { get; }

    /// <summary>
    /// The identities of recently queued events, when there are several hosts: a resume on another host is rewound,
    /// and what it sends again is dropped by identity.
    /// </summary>
    public RecentEventWindow? Recent { get; }
}
