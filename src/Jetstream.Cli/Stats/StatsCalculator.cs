using Jetstream.Reactive;

namespace Jetstream.Cli.Stats;

/// <summary>
/// Turns successive <see cref="StatsSample"/>s into the dashboard's numbers: rates over a sliding window, the lag of the
/// newest event behind the sample's clock, the busiest collections, and the catch-up toward now when the stream is
/// replaying the past. Pure arithmetic on the samples, so it is tested with made-up ones.
/// </summary>
internal sealed class StatsCalculator
{
    /// <summary>A stream whose newest event is at most this far behind the clock counts as live.</summary>
    public static readonly TimeSpan LiveThreshold = TimeSpan.FromSeconds(10);

    private readonly Queue<StatsSample> _samples = new();
    private readonly TimeSpan _window;
    private readonly int _topCollections;
    private readonly bool _fromCursor;
    private StatsSample? _first;
    private bool _caughtUp;

    /// <summary>Creates a calculator.</summary>
    /// <param name="window">The span rates are measured over: the newest sample minus the oldest kept one.</param>
    /// <param name="topCollections">How many collections <see cref="StatsSnapshot.TopCollections"/> lists.</param>
    /// <param name="fromCursor">
    /// Whether the stream started from a cursor in the past. Only then is a lag a catch-up; a live stream that lags is
    /// quiet (a sparse filter) or slow, not replaying. Once the lag falls within <see cref="LiveThreshold"/> the
    /// stream has caught up, and stays so.
    /// </param>
    public StatsCalculator(TimeSpan window, int topCollections = 8, bool fromCursor = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(topCollections);
        _window = window;
        _topCollections = topCollections;
        _fromCursor = fromCursor;
    }

    /// <summary>Adds the newest sample (samples come in time order) and computes the numbers as of it.</summary>
    public StatsSnapshot Add(StatsSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        _first ??= sample;
        _samples.Enqueue(sample);

        // Keep the newest sample that is at least a window old as the base, and nothing older.
        while (_samples.Count > 2 && sample.At - _samples.ElementAt(1).At >= _window)
        {
            _samples.Dequeue();
        }

        return Compute(_first, _samples.Peek(), sample);
    }

    private StatsSnapshot Compute(StatsSample first, StatsSample from, StatsSample now)
    {
        var span = now.At - from.At;
        var seconds = span.TotalSeconds;
        double Rate(long newer, long older) => seconds > 0 ? Math.Max(0, newer - older) / seconds : 0;

        var kinds = Enum.GetValues<JetstreamEventKind>()
            .Select(k => new KindStats(k, At(now.EventsByKind, (int)k), Rate(At(now.EventsByKind, (int)k), At(from.EventsByKind, (int)k))))
            .ToList();

        var commits = now.CommitsByCollection.Values.Sum();
        var top = now.CommitsByCollection
            .Select(c => new CollectionStats(c.Key, c.Value, Rate(c.Value, from.CommitsByCollection.GetValueOrDefault(c.Key)), commits > 0 ? (double)c.Value / commits : 0))
            .OrderByDescending(c => c.PerSecond)
            .ThenByDescending(c => c.Total)
            .ThenBy(c => c.Collection, StringComparer.Ordinal)
            .Take(_topCollections)
            .ToList();

        TimeSpan? lag = now.LastEventTimeUs is { } last ? Max(TimeSpan.Zero, now.At - FromUnixMicroseconds(last)) : null;
        _caughtUp |= lag <= LiveThreshold;

        return new StatsSnapshot
        {
            Elapsed = now.At - first.At,
            RateWindow = span,
            TotalEvents = now.TotalEvents,
            EventsPerSecond = Rate(now.TotalEvents, from.TotalEvents),
            Kinds = kinds,
            TopCollections = top,
            CollectionCount = now.CommitsByCollection.Count,
            Lag = lag,
            Dropped = now.Dropped,
            Reconnects = now.Reconnects,
            Failovers = now.Failovers,
            MalformedFrames = now.MalformedFrames,
            BytesReceived = now.BytesReceived,
            BytesPerSecond = Rate(now.BytesReceived, from.BytesReceived),
            CatchUp = _fromCursor && !_caughtUp && lag is { } behind ? CatchUpOf(from, now, behind, seconds) : null,
        };
    }

    private static CatchUp? CatchUpOf(StatsSample from, StatsSample now, TimeSpan lag, double seconds)
    {
        if (now.FirstEventTimeUs is not { } firstUs || now.LastEventTimeUs is not { } lastUs)
        {
            return null;
        }

        var total = (now.At - FromUnixMicroseconds(firstUs)).TotalMicroseconds;
        var fraction = total > 0 ? Math.Clamp((lastUs - firstUs) / total, 0, 1) : 0;
        // Event time covered over the window; before the window's base had an event, from the first event on.
        var fromUs = from.LastEventTimeUs ?? firstUs;
        var speed = seconds > 0 ? Math.Max(0, lastUs - fromUs) / 1e6 / seconds : 0;
        TimeSpan? remaining = speed > 1 ? TimeSpan.FromSeconds(lag.TotalSeconds / (speed - 1)) : null;
        return new CatchUp(fraction, speed, remaining);
    }

    private static long At(IReadOnlyList<long> values, int index) => index < values.Count ? values[index] : 0;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset FromUnixMicroseconds(long us) => DateTimeOffset.UnixEpoch.AddTicks(Math.Clamp(us, 0, (DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks / 10) * 10);
}
