using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Archive;

/// <summary>The backfill's logs, EventIds 1085–1094 (inside the library's 1000–1099 block). Payloads and keys are never logged.</summary>
internal static partial class ArchiveLog
{
    [LoggerMessage(EventId = 1085, EventName = "BackfillPlanned", Level = LogLevel.Information,
        Message = "Archive plan page {Page}: sealed tip {SealedTip}, planned through {PlannedThrough}, {Entries} entries")]
    public static partial void BackfillPlanned(this ILogger logger, long page, long sealedTip, long plannedThrough, int entries);

    [LoggerMessage(EventId = 1086, EventName = "BackfillRetry", Level = LogLevel.Warning,
        Message = "Archive {Endpoint} attempt {Attempt} failed, retrying in {DelayMs} ms: {Reason}")]
    public static partial void BackfillRetry(this ILogger logger, string endpoint, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 1087, EventName = "BackfillRowInvalid", Level = LogLevel.Warning,
        Message = "Archive row {Seq} skipped: {Reason}")]
    public static partial void BackfillRowInvalid(this ILogger logger, long seq, string reason);

    [LoggerMessage(EventId = 1088, EventName = "BackfillCutover", Level = LogLevel.Information,
        Message = "Archive replay done (sealed tip {SealedTip}, last seq {LastSeq}); going live from seq {Cutover}")]
    public static partial void BackfillCutover(this ILogger logger, long sealedTip, long lastSeq, long cutover);

    [LoggerMessage(EventId = 1089, EventName = "BackfillCursorTooOld", Level = LogLevel.Warning,
        Message = "Live socket answered CursorTooOld at seq {Cursor}; re-backfilling from the archive (stall {Stalls} of {MaxStalls})")]
    public static partial void BackfillCursorTooOld(this ILogger logger, long cursor, int stalls, int maxStalls);

    [LoggerMessage(EventId = 1090, EventName = "BackfillCompleted", Level = LogLevel.Information,
        Message = "Archive snapshot delivered through seq {LastSeq} ({Events} events)")]
    public static partial void BackfillCompleted(this ILogger logger, long lastSeq, long events);
}
