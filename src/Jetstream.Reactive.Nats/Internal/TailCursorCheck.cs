namespace Jetstream.Reactive.Nats.Internal;

/// <summary>
/// The fixed bounds of the library's cursor plausibility rule (docs/reconnection-and-cursors.md, "Cursor integrity"),
/// applied to the cursor headers read back from the stream: <c>time_us</c> in (0, 2100-01-01] and, while the clock reads a
/// real date, at most <see cref="JetstreamOptions.CursorClockTolerance"/> ahead of it; a sequence cursor (one that is not
/// the <c>time_us</c>) in [1, 10^15). The relay marks the events the source distrusted itself
/// (<see cref="JetstreamNatsSubjects.CursorUntrustedHeader"/>); this check covers messages without that guarantee.
/// </summary>
internal sealed class TailCursorCheck(JetstreamOptions source)
{
    private const long MaxPlausibleTimeUs = 4_102_444_800_000_000; // 2100-01-01, as the library
    private const long ClockMeaningfulAfterUs = 1_577_836_800_000_000; // 2020-01-01, as the library
    private const long TimestampCursorThreshold = 1_000_000_000_000_000; // a server reads larger values as timestamps
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>Whether a message's <paramref name="timeUs"/> and <paramref name="cursor"/> headers may move the resume point.</summary>
    public bool IsPlausible(long timeUs, long? cursor)
    {
        if (timeUs <= 0 || timeUs > MaxPlausibleTimeUs)
        {
            return false;
        }

        var nowUs = (source.Scheduler.Now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;
        var tolerance = source.CursorClockTolerance;
        if (tolerance != Timeout.InfiniteTimeSpan && nowUs > ClockMeaningfulAfterUs && timeUs - nowUs > tolerance.Ticks / TicksPerMicrosecond)
        {
            return false;
        }

        return cursor is not { } c || c == timeUs || c is >= 1 and < TimestampCursorThreshold;
    }
}
