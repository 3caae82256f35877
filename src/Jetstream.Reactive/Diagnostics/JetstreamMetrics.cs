using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Jetstream.Reactive.Diagnostics;

/// <summary>
/// The instruments of <see cref="JetstreamTelemetry.MeterName"/>. One set per meter factory (and one process-wide set
/// when none is given); recording never throws and costs a flag check when nobody listens.
/// </summary>
internal sealed class JetstreamMetrics
{
    public const string KindTag = "jetstream.event.kind";
    public const string ReasonTag = "jetstream.reason";
    public const string InfoNameTag = "jetstream.info.name";
    public const string OutcomeTag = "jetstream.outcome";

    private static readonly ConditionalWeakTable<IMeterFactory, JetstreamMetrics> ByFactory = [];
    private static readonly Lazy<JetstreamMetrics> Shared = new(() => new JetstreamMetrics(new Meter(JetstreamTelemetry.MeterName, Version)));
    private static readonly string? Version = typeof(JetstreamMetrics).Assembly.GetName().Version?.ToString();

    private static readonly double[] LagBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86400];

    private JetstreamMetrics(Meter meter)
    {
        EventsReceived = meter.CreateCounter<long>("jetstream.client.events.received", "{event}", "Events decoded from the socket, by kind.");
        EventsDropped = meter.CreateCounter<long>("jetstream.client.events.dropped", "{event}", "Events dropped because the subscriber's buffer was full.");
        EventsSkipped = meter.CreateCounter<long>("jetstream.client.events.skipped", "{event}", "Well-formed events not queued for the subscriber, by reason: replayed events already queued before a reconnect, unknown kinds and types, and the event that paused a full buffer.");
        BytesReceived = meter.CreateCounter<long>("jetstream.client.bytes.received", "By", "Message bytes received from the socket.");
        BytesDecompressed = meter.CreateCounter<long>("jetstream.client.bytes.decompressed", "By", "Bytes of JSON decoded from zstd frames.");
        Reconnects = meter.CreateCounter<long>("jetstream.client.reconnects", "{reconnect}", "Reconnections scheduled after a connection failed or ended (counted when the backoff wait starts), by reason: failure, overflow_pause, filter_update, cursor_too_old, dictionary_rotated.");
        MalformedFrames = meter.CreateCounter<long>("jetstream.client.frames.malformed", "{frame}", "Frames skipped because they could not be decoded, by reason.");
        BufferDepth = meter.CreateUpDownCounter<long>("jetstream.client.buffer.depth", "{event}", "Events waiting between the socket reader and the subscriber.");
        InfosReceived = meter.CreateCounter<long>("jetstream.client.infos.received", "{notice}", "v2 #info notices from the server (such as OutdatedCursor), by name.");
        CursorRestarts = meter.CreateCounter<long>("jetstream.client.cursor.restarts", "{restart}", "Times a v2 cursor the server no longer held was given up for the live tail (OnCursorTooOld = RestartFromLive).");
        DictionaryFetches = meter.CreateCounter<long>("jetstream.client.dictionary.fetches", "{fetch}", "v2 zstd dictionary downloads, by outcome.");
        CompressionFallbacks = meter.CreateCounter<long>("jetstream.client.compression.fallbacks", "{fallback}", "Subscriptions that gave up v2 zstd and went on uncompressed.");
        FilterUpdates = meter.CreateCounter<long>("jetstream.client.filter.updates", "{update}", "Filter updates from JetstreamOptions.FilterUpdates, by outcome (applied, rejected).");
        OverflowPauses = meter.CreateCounter<long>("jetstream.client.overflow.pauses", "{pause}", "Connections closed because the buffer was full (Overflow = ResumeFromCursor).");
        OverflowResumes = meter.CreateCounter<long>("jetstream.client.overflow.resumes", "{resume}", "Reconnections from the cursor after the subscriber drained the buffer (Overflow = ResumeFromCursor).");
        Gaps = meter.CreateCounter<long>("jetstream.client.gaps", "{gap}", "Likely gaps after a resume: the first event was far past the cursor.");
        CursorImplausible = meter.CreateCounter<long>("jetstream.client.cursor.implausible", "{event}", "Events whose time_us or seq could not be right (negative, zero, far ahead of the clock or of the last cursor): passed on without moving the cursor. Stored cursors rejected at load too, with reason store.");
        SequenceResets = meter.CreateCounter<long>("jetstream.client.sequence.resets", "{reset}", "Hosts whose sequence numbers went back below the resume cursor (an instance replaced): reported as a gap, and the stream rebased.");
        CursorSaves = meter.CreateCounter<long>("jetstream.client.cursor.saves", "{save}", "Cursors written to JetstreamOptions.CursorStore.");
        Failovers = meter.CreateCounter<long>("jetstream.client.failovers", "{failover}", "Moves to the next of JetstreamOptions.Endpoints after failed attempts in a row.");
        Lag = meter.CreateHistogram("jetstream.client.lag", "s", "Time between an event's time_us and its arrival.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
    }

    public Counter<long> EventsReceived { get; }

    public Counter<long> EventsDropped { get; }

    public Counter<long> EventsSkipped { get; }

    public Counter<long> BytesReceived { get; }

    public Counter<long> BytesDecompressed { get; }

    public Counter<long> Reconnects { get; }

    public Counter<long> MalformedFrames { get; }

    public Counter<long> InfosReceived { get; }

    public Counter<long> CursorRestarts { get; }

    public Counter<long> DictionaryFetches { get; }

    public Counter<long> CompressionFallbacks { get; }

    public Counter<long> FilterUpdates { get; }

    public Counter<long> Failovers { get; }

    public Counter<long> OverflowPauses { get; }

    public Counter<long> OverflowResumes { get; }

    public Counter<long> Gaps { get; }

    public Counter<long> CursorSaves { get; }

    public Counter<long> CursorImplausible { get; }

    public Counter<long> SequenceResets { get; }

    public UpDownCounter<long> BufferDepth { get; }

    public Histogram<double> Lag { get; }

    public static JetstreamMetrics For(IMeterFactory? factory) =>
        factory is null ? Shared.Value : ByFactory.GetValue(factory, f => new JetstreamMetrics(f.Create(new MeterOptions(JetstreamTelemetry.MeterName) { Version = Version })));

    public static string KindTagValue(JetstreamEventKind kind) => kind switch
    {
        JetstreamEventKind.Commit => "commit",
        JetstreamEventKind.Identity => "identity",
        JetstreamEventKind.Account => "account",
        _ => "sync",
    };

    /// <summary>The info name as a tag: the known names, else <c>other</c> (a server could invent any number of names).</summary>
    public static string InfoNameTagValue(string name) => name switch
    {
        "OutdatedCursor" => "OutdatedCursor",
        _ => "other",
    };

    public static string ReasonTagValue(MalformedFrameReason reason) => reason switch
    {
        MalformedFrameReason.Empty => "empty",
        MalformedFrameReason.TooLarge => "too_large",
        MalformedFrameReason.BinaryFrame => "binary_frame",
        MalformedFrameReason.InvalidUtf8 => "invalid_utf8",
        MalformedFrameReason.NotJson => "not_json",
        MalformedFrameReason.NotAnObject => "not_an_object",
        MalformedFrameReason.TooDeep => "too_deep",
        MalformedFrameReason.MissingField => "missing_field",
        MalformedFrameReason.WrongType => "wrong_type",
        MalformedFrameReason.InvalidValue => "invalid_value",
        MalformedFrameReason.ZstdDictionaryMismatch => "zstd_dictionary_mismatch",
        MalformedFrameReason.DecompressedTooLarge => "decompressed_too_large",
        MalformedFrameReason.ZstdCorrupt => "zstd_corrupt",
        _ => "other",
    };
}
