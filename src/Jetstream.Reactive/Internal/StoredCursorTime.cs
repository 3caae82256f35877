using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// The time a stored cursor stands for, which is what a resume on another host goes by. A cursor saved without
/// <c>TimeUs</c> (0: an older file, a hand-written one, another store) must not become <c>cursor=0</c> there: that asks a
/// legacy server for its whole retention and a v2 server answers <c>CursorTooOld</c>.
/// </summary>
internal static class StoredCursorTime
{
    /// <summary>The stored cursor's time: its <c>TimeUs</c>, else its value when that is a time_us cursor, else 0 (unknown).</summary>
    public static long Of(JetstreamCursor stored, ILogger logger)
    {
        if (stored.TimeUs > 0)
        {
            return stored.TimeUs;
        }

        if (!stored.IsSequence)
        {
            return stored.Value;
        }

        logger.StoredCursorWithoutTime(stored.Value, stored.Host);
        return 0;
    }

    /// <summary>The cursor for another host: the time minus the rewind, or none (the live tail) when the time is unknown.</summary>
    public static long? Rewound(long timeUs, TimeSpan rewind) =>
        timeUs > 0 ? Math.Max(1, timeUs - (rewind.Ticks / (TimeSpan.TicksPerMillisecond / 1000))) : null;
}
