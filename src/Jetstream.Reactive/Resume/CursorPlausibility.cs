using Jetstream.Reactive.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Resume;

/// <summary>
/// Whether a cursor can be right (docs/reconnection-and-cursors.md, "Cursor integrity"): an event's from the network, or
/// one loaded from the store. An implausible cursor is never trusted as a resume or saved position; runs of them are
/// counted and logged once per run.
/// </summary>
internal sealed class CursorPlausibility
{
    private const long TimestampCursorThreshold = 1_000_000_000_000_000;
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    // Fixed bounds, and the clock's only once it reads a real date (a virtual-time scheduler starts at year 1).
    private const long MaxPlausibleTimeUs = 4_102_444_800_000_000; // 2100-01-01
    private const long ClockMeaningfulAfterUs = 1_577_836_800_000_000; // 2020-01-01
    private const long MaxSequenceJump = 1_000_000_000_000;

    private readonly JetstreamOptions _options;
    private readonly ResumePosition _position;
    private readonly JetstreamMetrics _metrics;
    private readonly ILogger _logger;
    private long _implausibleRun;

    public CursorPlausibility(JetstreamOptions options, ResumePosition position, JetstreamMetrics metrics, ILogger logger)
    {
        _options = options;
        _position = position;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Why <paramref name="e"/>'s cursor cannot be right, or <see langword="null"/> when it may become the resume cursor:
    /// <c>time_us</c> in (0, 2100-01-01] and, while the clock reads a real date, at most
    /// <see cref="JetstreamOptions.CursorClockTolerance"/> past the later of the clock and the last trusted cursor; a
    /// sequence number in [1, 10^15) (a server reads larger values as timestamps) and at most 10^12 past the last one
    /// from the same host.
    /// </summary>
    /// <param name="e">The event.</param>
    /// <param name="nowUs">The scheduler's clock, in unix microseconds.</param>
    /// <param name="endpoint">The index of the host the event came from.</param>
    public string? Problem(JetstreamEvent e, long nowUs, int endpoint)
    {
        if (TimeProblem(e.TimeUs, nowUs) is { } timeProblem)
        {
            return timeProblem;
        }

        if (e.ServerCursor is { } seq)
        {
            if (SequenceProblem(seq) is { } seqProblem)
            {
                return seqProblem;
            }

            if (_position.LastSequenceFrom(endpoint) is { } last && seq - last > MaxSequenceJump)
            {
                return $"seq {seq} is more than 10^12 past the last seq {last}";
            }
        }

        return null;
    }

    /// <summary>Why a stored cursor cannot be right, or <see langword="null"/>.</summary>
    public string? StoredProblem(JetstreamCursor stored)
    {
        var nowUs = (_options.Scheduler.Now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;
        if (stored.IsSequence)
        {
            // A store may not know the time of a sequence cursor: 0 means unknown there, not implausible.
            return SequenceProblem(stored.Value) ?? (stored.TimeUs == 0 ? null : TimeProblem(stored.TimeUs, nowUs));
        }

        // Nor of a time cursor (an older file, another store): its value is its time.
        return TimeProblem(stored.Value, nowUs) ?? (stored.TimeUs == 0 || stored.TimeUs == stored.Value ? null : TimeProblem(stored.TimeUs, nowUs));
    }

    /// <summary>An event with an implausible cursor is being passed on: counted, and logged once per run of them.</summary>
    public void Implausible(string problem, string endpoint)
    {
        _metrics.CursorImplausible.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.ReasonTag, "event"));
        if (_implausibleRun++ == 0)
        {
            _logger.ImplausibleCursor(endpoint, problem, _position.LastCursor);
        }
    }

    /// <summary>A plausible cursor arrived: ends a run of implausible ones.</summary>
    public void Plausible()
    {
        if (_implausibleRun > 0)
        {
            _logger.ImplausibleCursorsEnded(_implausibleRun);
            _implausibleRun = 0;
        }
    }

    private string? TimeProblem(long timeUs, long nowUs)
    {
        if (timeUs <= 0)
        {
            return $"time_us {timeUs} is not positive";
        }

        if (timeUs > MaxPlausibleTimeUs)
        {
            return $"time_us {timeUs} is after the year 2100";
        }

        var tolerance = _options.CursorClockTolerance;
        if (tolerance != Timeout.InfiniteTimeSpan && nowUs > ClockMeaningfulAfterUs)
        {
            var reference = _position.LastCursor is not null ? Math.Max(nowUs, _position.LastTimeUs) : nowUs;
            if (timeUs - reference > tolerance.Ticks / TicksPerMicrosecond)
            {
                return $"time_us {timeUs} is {(timeUs - nowUs) / 1e6:0.#} s ahead of the clock";
            }
        }

        return null;
    }

    private static string? SequenceProblem(long seq) =>
        seq <= 0 ? $"seq {seq} is not positive"
        : seq >= TimestampCursorThreshold ? $"seq {seq} is 10^15 or more, which a server reads as a timestamp"
        : null;
}
