using Jetstream.Reactive;

namespace Jetstream.Cli.Stats;

/// <summary>
/// The running totals of one stream at one moment: what <see cref="StatsCollector"/> has counted so far. Rates are
/// differences between two samples (<see cref="StatsCalculator"/>).
/// </summary>
internal sealed record StatsSample
{
    /// <summary>When the totals were read.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Events passed on to the dashboard, by <see cref="JetstreamEventKind"/> (index = the enum's value).</summary>
    public required IReadOnlyList<long> EventsByKind { get; init; }

    /// <summary>Commits passed on, by collection.</summary>
    public required IReadOnlyDictionary<string, long> CommitsByCollection { get; init; }

    /// <summary><c>jetstream.client.events.dropped</c>: events dropped because the buffer was full.</summary>
    public long Dropped { get; init; }

    /// <summary><c>jetstream.client.reconnects</c>.</summary>
    public long Reconnects { get; init; }

    /// <summary><c>jetstream.client.failovers</c>.</summary>
    public long Failovers { get; init; }

    /// <summary><c>jetstream.client.bytes.received</c> (compressed bytes for zstd frames).</summary>
    public long BytesReceived { get; init; }

    /// <summary><c>jetstream.client.frames.malformed</c>.</summary>
    public long MalformedFrames { get; init; }

    /// <summary><c>jetstream.client.events.skipped</c>: replayed duplicates and unknown kinds.</summary>
    public long Skipped { get; init; }

    /// <summary>The <c>time_us</c> of the first event passed on, or <see langword="null"/> before any.</summary>
    public long? FirstEventTimeUs { get; init; }

    /// <summary>The <c>time_us</c> of the newest event passed on, or <see langword="null"/> before any.</summary>
    public long? LastEventTimeUs { get; init; }

    /// <summary>All events passed on.</summary>
    public long TotalEvents => EventsByKind.Sum();
}
