using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Diagnostics;

/// <summary>The liveness and cursor-integrity logs; ids from 1060 up.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1060, EventName = "SequenceReset", Level = LogLevel.Warning,
        Message = "{Endpoint} restarted its sequence numbers: resumed from seq {RequestedCursor}, the first event is seq {FirstCursor}. Events it held past its new numbering may be lost; the stream rebases on the new numbers and goes on")]
    public static partial void SequenceReset(this ILogger logger, string endpoint, long requestedCursor, long firstCursor);

    [LoggerMessage(EventId = 1061, EventName = "ImplausibleCursor", Level = LogLevel.Warning,
        Message = "An event from {Endpoint} has an implausible cursor ({Problem}): it is passed on to the subscriber, but the resume cursor stays at {Cursor} until a plausible one arrives")]
    public static partial void ImplausibleCursor(this ILogger logger, string endpoint, string problem, long? cursor);

    [LoggerMessage(EventId = 1062, EventName = "ImplausibleCursorsEnded", Level = LogLevel.Information,
        Message = "{Count} events with implausible cursors were passed on without moving the cursor; the cursor moves again")]
    public static partial void ImplausibleCursorsEnded(this ILogger logger, long count);

    [LoggerMessage(EventId = 1063, EventName = "StoredCursorImplausible", Level = LogLevel.Warning,
        Message = "The stored cursor {Cursor} ({Problem}) cannot be right and is ignored; the stream starts from {Start}")]
    public static partial void StoredCursorImplausible(this ILogger logger, long cursor, string problem, string start);
}
