using System.Diagnostics.Metrics;
using System.Reactive.Concurrency;
using Jetstream.Reactive.Internal;
using Jetstream.Reactive.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jetstream.Reactive;

/// <summary>
/// Settings of one Jetstream consumer. Every property has a working default; <see cref="Validate"/> (called by
/// <see cref="JetstreamObservable.Connect"/>) checks them all at once and names each bad option, its value and what is allowed.
/// </summary>
public sealed record JetstreamOptions
{
    /// <summary>The most collection filters a server accepts (full NSIDs plus <c>prefix.*</c> patterns, after removing duplicates).</summary>
    public const int MaxWantedCollections = 100;

    /// <summary>The most DIDs a server accepts (after removing duplicates).</summary>
    public const int MaxWantedDids = 10_000;

    /// <summary>The public host used when <see cref="Endpoint"/> is not set: <c>wss://jetstream2.us-east.bsky.network</c>.</summary>
    public static Uri DefaultEndpoint { get; } = new("wss://jetstream2.us-east.bsky.network");

    /// <summary>
    /// The server: <c>wss://host</c> or <c>ws://host:port</c>, with or without a path. When the path is empty or
    /// <c>/</c>, <c>/subscribe</c> is used. It must not carry a query or fragment: filters and cursor are options.
    /// Default <see cref="DefaultEndpoint"/>.
    /// </summary>
    public Uri Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>
    /// Collections to receive commits for: full NSIDs (<c>app.bsky.feed.post</c>) or prefixes ending in <c>.*</c>
    /// (<c>app.bsky.graph.*</c>). Empty (the default) means all. Identity and account events are delivered whatever
    /// this says. At most <see cref="MaxWantedCollections"/> distinct values.
    /// </summary>
    public IReadOnlyList<string> WantedCollections { get; init; } = [];

    /// <summary>
    /// Repositories to receive events for, as DIDs (<c>did:plc:…</c>, <c>did:web:…</c>). Empty (the default) means all.
    /// At most <see cref="MaxWantedDids"/> distinct values. When the URL would exceed about 8 KB, the client connects
    /// with <c>requireHello=true</c> and sends the filters in one <c>options_update</c> message instead.
    /// </summary>
    public IReadOnlyList<string> WantedDids { get; init; } = [];

    /// <summary>
    /// Where to start: a value of <see cref="JetstreamEvent.Cursor"/> from an earlier run (unix microseconds, or the
    /// newer server's sequence number). The server's replay is inclusive, so the event at the cursor comes again.
    /// <see langword="null"/> (the default) starts at the live tail. Must be 0 or more.
    /// </summary>
    public long? Cursor { get; init; }

    /// <summary>
    /// How many events may wait between the socket reader and the subscriber. When it is full, each further
    /// incoming event is dropped and counted (the events already queued are kept). Default 10,000; allowed from 1 to 10,000,000.
    /// </summary>
    public int BufferCapacity { get; init; } = 10_000;

    /// <summary>The delays between connection attempts. Default <see cref="BackoffPolicy.Default"/> (250 ms to 30 s).</summary>
    public BackoffPolicy Backoff { get; init; } = BackoffPolicy.Default;

    /// <summary>
    /// How long a connection (including its handshake) may go without receiving any message before it is dropped and
    /// re-made from the cursor. Default 60 s; allowed from 1 s to 1 day, or <see cref="Timeout.InfiniteTimeSpan"/> to
    /// never time out (for very sparse filters). Timed on <see cref="Scheduler"/>.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The largest message accepted, in bytes, both as received and, for a zstd frame, once decompressed. A larger message
    /// is read to its end without being stored, skipped and counted as <see cref="MalformedFrameReason.TooLarge"/>; a
    /// zstd frame that would decompress to more is skipped and counted as
    /// <see cref="MalformedFrameReason.DecompressedTooLarge"/>. Default 32 MiB; allowed from 1 KiB to 1 GiB.
    /// </summary>
    public int MaxMessageSize { get; init; } = 32 * 1024 * 1024;

    /// <summary>
    /// Whether to ask the server for zstd-compressed frames. Default <see cref="JetstreamCompression.None"/>. With
    /// <see cref="JetstreamCompression.Zstd"/>, v1 sends <c>compress=true</c> and decodes binary frames with the bundled v1
    /// dictionary. Text and binary frames are both decoded whatever is asked for, and a decompressed frame is held to
    /// <see cref="MaxMessageSize"/> as well.
    /// </summary>
    public JetstreamCompression Compression { get; init; } = JetstreamCompression.None;

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
