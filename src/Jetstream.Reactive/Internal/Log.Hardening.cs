using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Internal;

/// <summary>Logs of the hardening against hostile servers and failing callbacks: EventIds 1035–1039.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1035, EventName = "GapObserverFailed", Level = LogLevel.Error,
        Message = "The JetstreamOptions.Gaps observer threw; the gap was reported to it and the stream goes on")]
    public static partial void GapObserverFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1036, EventName = "ServerTextRepeated",
        Message = "{Notice} '{Key}' came {Count} more times in the {WindowSeconds} s after it was last logged (each repeated server notice is logged once per window)")]
    public static partial void ServerTextRepeated(this ILogger logger, LogLevel level, string notice, string key, long count, double windowSeconds);

    [LoggerMessage(EventId = 1037, EventName = "StoredCursorWithoutTime", Level = LogLevel.Warning,
        Message = "The stored cursor {Cursor} (a sequence number from {Host}) has no time_us: it resumes only on that host; on another one the stream starts from the live tail rather than from cursor 0")]
    public static partial void StoredCursorWithoutTime(this ILogger logger, long cursor, string host);
}
