using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Diagnostics;

/// <summary>
/// Every log the library writes, with fixed EventIds in 1000–1099. Ids and names never change once shipped. Payload
/// bytes appear only at Debug, cut to a short prefix.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "Connecting", Level = LogLevel.Debug,
        Message = "Connecting to {Endpoint} (attempt {Attempt}, cursor {Cursor}, {CollectionCount} collections, {DidCount} DIDs, hello {RequireHello})")]
    public static partial void Connecting(this ILogger logger, string endpoint, int attempt, long? cursor, int collectionCount, int didCount, bool requireHello);

    [LoggerMessage(EventId = 1001, EventName = "Connected", Level = LogLevel.Information,
        Message = "Connected to {Endpoint}, cursor {Cursor}")]
    public static partial void Connected(this ILogger logger, string endpoint, long? cursor);

    [LoggerMessage(EventId = 1002, EventName = "ConnectionLost", Level = LogLevel.Warning,
        Message = "Jetstream connection to {Endpoint} lost: {Reason}")]
    public static partial void ConnectionLost(this ILogger logger, string endpoint, string reason, Exception? exception);

    [LoggerMessage(EventId = 1003, EventName = "Reconnecting", Level = LogLevel.Information,
        Message = "Reconnecting in {DelayMs} ms (retry {Attempt} since the last event)")]
    public static partial void Reconnecting(this ILogger logger, double delayMs, int attempt);

    [LoggerMessage(EventId = 1004, EventName = "ConnectionFailed", Level = LogLevel.Error,
        Message = "Jetstream stream ended: the error cannot be fixed by reconnecting: {Reason}")]
    public static partial void ConnectionFailed(this ILogger logger, string reason, Exception exception);

    [LoggerMessage(EventId = 1005, EventName = "MalformedFrame", Level = LogLevel.Debug,
        Message = "Skipped a malformed frame ({Reason}, {Detail}), {Length} bytes, starting: {Prefix}")]
    public static partial void MalformedFrame(this ILogger logger, MalformedFrameReason reason, string? detail, long length, string prefix);

    [LoggerMessage(EventId = 1006, EventName = "UnknownKind", Level = LogLevel.Debug,
        Message = "Skipped an event of unknown kind '{Kind}'")]
    public static partial void UnknownKind(this ILogger logger, string kind);

    [LoggerMessage(EventId = 1007, EventName = "BufferFull", Level = LogLevel.Warning,
        Message = "The subscriber is slower than the stream: the buffer is full (its {Capacity} events, or its byte budget), and incoming events are dropped until it drains to half")]
    public static partial void BufferFull(this ILogger logger, int capacity);

    [LoggerMessage(EventId = 1008, EventName = "BufferRecovered", Level = LogLevel.Information,
        Message = "The subscriber caught up; {Dropped} events were dropped while the buffer was full")]
    public static partial void BufferRecovered(this ILogger logger, long dropped);

    [LoggerMessage(EventId = 1009, EventName = "IdleTimeout", Level = LogLevel.Warning,
        Message = "No message from {Endpoint} for {IdleSeconds} s; dropping the connection")]
    public static partial void IdleTimeout(this ILogger logger, string endpoint, double idleSeconds);

    [LoggerMessage(EventId = 1010, EventName = "HelloSent", Level = LogLevel.Debug,
        Message = "Sent options_update with {CollectionCount} collections and {DidCount} DIDs ({Bytes} bytes)")]
    public static partial void HelloSent(this ILogger logger, int collectionCount, int didCount, int bytes);

    [LoggerMessage(EventId = 1011, EventName = "ReplaySkipped", Level = LogLevel.Debug,
        Message = "Skipped {Count} replayed events already queued for the subscriber before the reconnect (cursor {Cursor})")]
    public static partial void ReplaySkipped(this ILogger logger, long count, long cursor);

    [LoggerMessage(EventId = 1012, EventName = "HandlerFailed", Level = LogLevel.Error,
        Message = "An async handler threw; the subscription {Outcome}")]
    public static partial void HandlerFailed(this ILogger logger, string outcome, Exception exception);

    [LoggerMessage(EventId = 1013, EventName = "ZstdDictionaryFetched", Level = LogLevel.Information,
        Message = "Fetched zstd dictionary {DictionaryId} ({Bytes} bytes) from {Uri}")]
    public static partial void ZstdDictionaryFetched(this ILogger logger, uint dictionaryId, int bytes, string uri);

    [LoggerMessage(EventId = 1014, EventName = "ZstdDictionaryFetchFailed", Level = LogLevel.Warning,
        Message = "Could not fetch a zstd dictionary from {Uri}: {Reason}; {Fallback}")]
    public static partial void ZstdDictionaryFetchFailed(this ILogger logger, string uri, string reason, string fallback);

    [LoggerMessage(EventId = 1015, EventName = "CompressionDisabled", Level = LogLevel.Warning,
        Message = "Falling back to uncompressed frames for this subscription: {Reason}")]
    public static partial void CompressionDisabled(this ILogger logger, string reason);

    [LoggerMessage(EventId = 1016, EventName = "ServerInfo", Level = LogLevel.Warning,
        Message = "Jetstream server {Endpoint} sent notice {Name}: {ServerMessage}")]
    public static partial void ServerInfo(this ILogger logger, string endpoint, string name, string? serverMessage);

    [LoggerMessage(EventId = 1017, EventName = "UnknownType", Level = LogLevel.Debug,
        Message = "Skipped a frame of unknown $type '{Type}'")]
    public static partial void UnknownType(this ILogger logger, string type);

    [LoggerMessage(EventId = 1018, EventName = "CursorTooOldRestart", Level = LogLevel.Warning,
        Message = "The server no longer holds cursor {Cursor} ({ServerMessage}); restarting from the live tail as OnCursorTooOld allows: the events in between are lost")]
    public static partial void CursorTooOldRestart(this ILogger logger, long cursor, string? serverMessage);

    [LoggerMessage(EventId = 1019, EventName = "UnknownZstdDictionary", Level = LogLevel.Warning,
        Message = "The server does not know zstd dictionary {DictionaryId} ({ServerMessage}); fetching its current one")]
    public static partial void UnknownZstdDictionary(this ILogger logger, uint dictionaryId, string? serverMessage);

    [LoggerMessage(EventId = 1020, EventName = "ZstdDictionaryCacheFailed", Level = LogLevel.Warning,
        Message = "Could not {Operation} the zstd dictionary file {Path}: {Reason}")]
    public static partial void ZstdDictionaryCacheFailed(this ILogger logger, string operation, string path, string reason);

    [LoggerMessage(EventId = 1021, EventName = "FilterUpdateRejected", Level = LogLevel.Warning,
        Message = "A filter update was rejected and not applied; invalid: {Fields} (the values are logged at Debug)")]
    public static partial void FilterUpdateRejected(this ILogger logger, string fields);

    [LoggerMessage(EventId = 1022, EventName = "FilterUpdateSent", Level = LogLevel.Debug,
        Message = "Sent options_update with {CollectionCount} collections and {DidCount} DIDs ({Bytes} bytes)")]
    public static partial void FilterUpdateSent(this ILogger logger, int collectionCount, int didCount, int bytes);

    [LoggerMessage(EventId = 1023, EventName = "FilterUpdateReconnect", Level = LogLevel.Information,
        Message = "The filter changed ({CollectionCount} collections, {DidCount} DIDs); reconnecting to {Endpoint} from the cursor")]
    public static partial void FilterUpdateReconnect(this ILogger logger, int collectionCount, int didCount, string endpoint);

    [LoggerMessage(EventId = 1024, EventName = "FilterUpdatesFailed", Level = LogLevel.Warning,
        Message = "JetstreamOptions.FilterUpdates ended with an error; the last filter stays: {Reason}")]
    public static partial void FilterUpdatesFailed(this ILogger logger, string reason, Exception exception);

    [LoggerMessage(EventId = 1025, EventName = "FilterUpdateRejectedDetail", Level = LogLevel.Debug,
        Message = "The rejected filter update: {Errors}")]
    public static partial void FilterUpdateRejectedDetail(this ILogger logger, string errors);

    [LoggerMessage(EventId = 1026, EventName = "FailingOver", Level = LogLevel.Warning,
        Message = "{Failures} attempts in a row failed on {From}; moving to {To}, resuming from cursor {Cursor}")]
    public static partial void FailingOver(this ILogger logger, int failures, string from, string to, long? cursor);

    [LoggerMessage(EventId = 1027, EventName = "DuplicatesSkipped", Level = LogLevel.Debug,
        Message = "Skipped {Count} events already queued for the subscriber (recognised by identity after a move to another host)")]
    public static partial void DuplicatesSkipped(this ILogger logger, long count);

    [LoggerMessage(EventId = 1028, EventName = "StoredCursorLoaded", Level = LogLevel.Information,
        Message = "Resuming from the stored cursor {Cursor} ({Kind}) saved from {Host}")]
    public static partial void StoredCursorLoaded(this ILogger logger, long cursor, string kind, string host);

    [LoggerMessage(EventId = 1029, EventName = "StoredCursorIgnored", Level = LogLevel.Warning,
        Message = "The stored cursor belongs to protocol {StoredProtocol}, and a cursor is never sent to another protocol; starting from JetstreamOptions.Cursor or the live tail on {Protocol}")]
    public static partial void StoredCursorIgnored(this ILogger logger, JetstreamProtocol storedProtocol, JetstreamProtocol protocol);

    [LoggerMessage(EventId = 1030, EventName = "CursorSaveFailed", Level = LogLevel.Warning,
        Message = "Saving the cursor failed; the next save tries again")]
    public static partial void CursorSaveFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1031, EventName = "OverflowPaused", Level = LogLevel.Warning,
        Message = "The buffer is full (its {Capacity} events, or its byte budget): the connection is closed and will resume from the cursor once the subscriber has drained it to half")]
    public static partial void OverflowPaused(this ILogger logger, int capacity);

    [LoggerMessage(EventId = 1032, EventName = "OverflowResumed", Level = LogLevel.Information,
        Message = "The subscriber caught up; reconnecting from the cursor")]
    public static partial void OverflowResumed(this ILogger logger);

    [LoggerMessage(EventId = 1033, EventName = "GapDetected", Level = LogLevel.Warning,
        Message = "Possible gap on {Endpoint}: connected with cursor {RequestedCursor}, the first event is {FirstCursor} ({Detail}); the server may have clamped a cursor older than its retention")]
    public static partial void GapDetected(this ILogger logger, string endpoint, long requestedCursor, long firstCursor, string detail);

    [LoggerMessage(EventId = 1034, EventName = "CursorLoadFailed", Level = LogLevel.Error,
        Message = "The stored cursor could not be loaded; the stream ends rather than start from the wrong place")]
    public static partial void CursorLoadFailed(this ILogger logger, Exception exception);
}
