using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>
/// The hosting package's logs, category <see cref="JetstreamHosting.LoggerCategory"/>, with fixed EventIds in 1070–1089.
/// Ids and names never change once shipped. No payload is logged: events are named by kind and cursor.
/// </summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1070, EventName = "ConsumerStarting", Level = LogLevel.Information,
        Message = "Starting the Jetstream consumer: {HandlerCount} handlers ({Handlers}), cursor store {CursorStore}")]
    public static partial void ConsumerStarting(this ILogger logger, int handlerCount, string handlers, string cursorStore);

    [LoggerMessage(EventId = 1071, EventName = "StreamFailed", Level = LogLevel.Critical,
        Message = "The Jetstream stream ended with an error that reconnecting cannot fix; {Action}")]
    public static partial void StreamFailed(this ILogger logger, string action, Exception exception);

    [LoggerMessage(EventId = 1072, EventName = "Draining", Level = LogLevel.Information,
        Message = "Stopping the Jetstream consumer: the connection is closed and {Queued} events wait in the handlers' buffers; allowing {TimeoutSeconds} s to handle them")]
    public static partial void Draining(this ILogger logger, long queued, double timeoutSeconds);

    [LoggerMessage(EventId = 1073, EventName = "Drained", Level = LogLevel.Information,
        Message = "The Jetstream consumer stopped after handling every buffered event ({ElapsedMs} ms)")]
    public static partial void Drained(this ILogger logger, double elapsedMs);

    [LoggerMessage(EventId = 1074, EventName = "DrainTimedOut", Level = LogLevel.Warning,
        Message = "The Jetstream consumer stopped before its handlers finished: {Left} buffered events were not handled ({Detail}); the saved cursor is before them, so they come again after a restart")]
    public static partial void DrainTimedOut(this ILogger logger, long left, string detail);

    [LoggerMessage(EventId = 1075, EventName = "HandlerFailed", Level = LogLevel.Error,
        Message = "Jetstream handler {Handler} threw on {Count} events ({Kind} at cursor {Cursor} first); it goes on with the next")]
    public static partial void HandlerFailed(this ILogger logger, string handler, int count, JetstreamEventKind kind, long cursor, Exception exception);

    [LoggerMessage(EventId = 1076, EventName = "HandlerBufferFull", Level = LogLevel.Warning,
        Message = "Jetstream handler {Handler} is slower than the stream: its buffer of {Capacity} events is full, and events are dropped for it (not for the other handlers) until it drains to half")]
    public static partial void HandlerBufferFull(this ILogger logger, string handler, int capacity);

    [LoggerMessage(EventId = 1077, EventName = "HandlerBufferRecovered", Level = LogLevel.Information,
        Message = "Jetstream handler {Handler} caught up; {Dropped} events were dropped for it while its buffer was full")]
    public static partial void HandlerBufferRecovered(this ILogger logger, string handler, long dropped);

    [LoggerMessage(EventId = 1078, EventName = "CursorSaved", Level = LogLevel.Debug,
        Message = "Saved the cursor of the last handled event: {Cursor} ({CursorKind}, host {Host})")]
    public static partial void CursorSaved(this ILogger logger, long cursor, string cursorKind, string host);

    [LoggerMessage(EventId = 1079, EventName = "CursorSaveFailed", Level = LogLevel.Warning,
        Message = "Saving the Jetstream cursor failed; the next save tries again")]
    public static partial void CursorSaveFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1080, EventName = "ConsumerStopped", Level = LogLevel.Information,
        Message = "The Jetstream consumer stopped: {Handled} events handled, {Dropped} dropped, {Failed} failed since start; cursor {Cursor}")]
    public static partial void ConsumerStopped(this ILogger logger, long handled, long dropped, long failed, string cursor);
}
