using Jetstream.Reactive;

namespace Jetstream.Cli.Stats;

/// <summary>The numbers the dashboard shows, computed by <see cref="StatsCalculator"/>; rendering only formats them.</summary>
internal sealed record StatsSnapshot
{
    /// <summary>How long the dashboard has been running.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The span the rates are measured over (up to the calculator's window).</summary>
    public required TimeSpan RateWindow { get; init; }

    /// <summary>Events passed on since the start.</summary>
    public required long TotalEvents { get; init; }

    /// <summary>Events per second over <see cref="RateWindow"/>.</summary>
    public required double EventsPerSecond { get; init; }

    /// <summary>Per kind: total and events per second, in <see cref="JetstreamEventKind"/> order.</summary>
    public required IReadOnlyList<KindStats> Kinds { get; init; }

    /// <summary>The busiest collections, by rate then total.</summary>
    public required IReadOnlyList<CollectionStats> TopCollections { get; init; }

    /// <summary>How many distinct collections have been seen.</summary>
    public required int CollectionCount { get; init; }

    /// <summary>Now minus the newest event's <c>time_us</c>; <see langword="null"/> before the first event.</summary>
    public TimeSpan? Lag { get; init; }

    /// <summary>Events dropped by the full buffer since the start.</summary>
    public long Dropped { get; init; }

    /// <summary>Reconnections since the start.</summary>
    public long Reconnects { get; init; }

    /// <summary>Failovers to another endpoint since the start.</summary>
    public long Failovers { get; init; }

    /// <summary>Malformed frames skipped since the start.</summary>
    public long MalformedFrames { get; init; }

    /// <summary>Bytes received since the start.</summary>
    public long BytesReceived { get; init; }

    /// <summary>Bytes received per second over <see cref="RateWindow"/>.</summary>
    public double BytesPerSecond { get; init; }

    /// <summary>The catch-up toward now when the stream started from an old cursor; <see langword="null"/> when live.</summary>
    public CatchUp? CatchUp { get; init; }
}

/// <summary>One kind's numbers.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Total">Events since the start.</param>
/// <param name="PerSecond">Events per second over the rate window.</param>
internal sealed record KindStats(JetstreamEventKind Kind, long Total, double PerSecond);

/// <summary>One collection's numbers.</summary>
/// <param name="Collection">The NSID.</param>
/// <param name="Total">Commits since the start.</param>
/// <param name="PerSecond">Commits per second over the rate window.</param>
/// <param name="Share">This collection's share of all commits since the start, from 0 to 1.</param>
internal sealed record CollectionStats(string Collection, long Total, double PerSecond, double Share);

/// <summary>Progress of a stream replaying the past toward the live tail.</summary>
/// <param name="Fraction">How far from the first event's time to now the stream has got, from 0 to 1.</param>
/// <param name="Speed">Event time covered per second of wall time (30 means 30× real time); 0 when unknown.</param>
/// <param name="Remaining">The estimated time until live at that speed, or <see langword="null"/> when the stream is not gaining.</param>
internal sealed record CatchUp(double Fraction, double Speed, TimeSpan? Remaining);
