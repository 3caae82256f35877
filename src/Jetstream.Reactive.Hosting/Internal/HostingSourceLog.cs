using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>
/// The logs of the event-source seam (<see cref="IJetstreamEventSource"/>), category <see cref="JetstreamHosting.LoggerCategory"/>,
/// at the top of the hosting block (1088–1089) so the rest of 1070–1089 stays free for the hosting package's own logs.
/// </summary>
internal static partial class HostingSourceLog
{
    [LoggerMessage(EventId = 1088, EventName = "SourceReading", Level = LogLevel.Information,
        Message = "The Jetstream consumer reads from {Source} instead of a Jetstream socket; the source keeps the position, no cursor is saved")]
    public static partial void SourceReading(this ILogger logger, string source);

    [LoggerMessage(EventId = 1089, EventName = "SourceSettleFailed", Level = LogLevel.Warning,
        Message = "Telling the event source an event was {Outcome} failed ({Kind}); the source delivers it again")]
    public static partial void SettleFailed(this ILogger logger, string outcome, JetstreamEventKind kind, Exception exception);
}
