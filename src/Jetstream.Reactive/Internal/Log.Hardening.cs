using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Internal;

/// <summary>Logs of the hardening against hostile servers and failing callbacks: EventIds 1090–1099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1090, EventName = "GapObserverFailed", Level = LogLevel.Error,
        Message = "The JetstreamOptions.Gaps observer threw; the gap was reported to it and the stream goes on")]
    public static partial void GapObserverFailed(this ILogger logger, Exception exception);
}
