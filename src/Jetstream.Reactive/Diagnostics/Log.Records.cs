using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Diagnostics;

/// <summary>The typed-record logs; ids from 1050 up.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1050, EventName = "RecordSkipped", Level = LogLevel.Debug,
        Message = "Skipped the record {Uri}: it does not deserialize to {RecordType} ({Length} bytes, starting: {Prefix})")]
    public static partial void RecordSkipped(this ILogger logger, string uri, string recordType, int length, string prefix, Exception exception);
}
