using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Nats.Internal;

/// <summary>Every log of the NATS scale-out package, with fixed EventIds in 1600–1649. Payloads never appear.</summary>
internal static partial class NatsLog
{
    [LoggerMessage(EventId = 1600, EventName = "NatsStreamCreated", Level = LogLevel.Information,
        Message = "Created NATS stream {Stream} on {Subjects} (replicas {Replicas}, duplicate window {DuplicateWindow})")]
    public static partial void StreamCreated(this ILogger logger, string stream, string subjects, int replicas, TimeSpan duplicateWindow);

    [LoggerMessage(EventId = 1601, EventName = "NatsStreamChecked", Level = LogLevel.Information,
        Message = "Using NATS stream {Stream} with {Messages} messages, last sequence {LastSeq}")]
    public static partial void StreamChecked(this ILogger logger, string stream, long messages, ulong lastSeq);

    [LoggerMessage(EventId = 1602, EventName = "NatsRelayResuming", Level = LogLevel.Information,
        Message = "Relay resumes from cursor {Cursor} ({How}); {Known} message ids at the stream's tail will be skipped if replayed")]
    public static partial void Resuming(this ILogger logger, long? cursor, string how, int known);

    [LoggerMessage(EventId = 1603, EventName = "NatsPublishFailed", Level = LogLevel.Warning,
        Message = "Publishing to NATS failed (attempt {Attempt}); {Pending} publishes will be sent again in order after {Delay}")]
    public static partial void PublishFailed(this ILogger logger, Exception exception, int attempt, int pending, TimeSpan delay);

    [LoggerMessage(EventId = 1604, EventName = "NatsPublishRecovered", Level = LogLevel.Information,
        Message = "Publishing to NATS works again after {Attempts} failed attempts")]
    public static partial void PublishRecovered(this ILogger logger, int attempts);

    [LoggerMessage(EventId = 1605, EventName = "NatsStreamUnavailable", Level = LogLevel.Warning,
        Message = "The NATS stream {Stream} could not be opened (attempt {Attempt}); retrying after {Delay}")]
    public static partial void StreamUnavailable(this ILogger logger, Exception exception, string stream, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 1606, EventName = "NatsRelayStopped", Level = LogLevel.Information,
        Message = "Relay stopped after publishing {Published} events ({Duplicates} duplicates dropped by the server)")]
    public static partial void RelayStopped(this ILogger logger, long published, long duplicates);

    [LoggerMessage(EventId = 1608, EventName = "NatsStreamCreating", Level = LogLevel.Debug,
        Message = "NATS stream {Stream} not found; creating it")]
    public static partial void StreamCreating(this ILogger logger, string stream);

    [LoggerMessage(EventId = 1609, EventName = "NatsStreamCreatedMeanwhile", Level = LogLevel.Information,
        Message = "NATS stream {Stream} was created by someone else meanwhile (another relay starting at the same time); using it")]
    public static partial void StreamCreatedMeanwhile(this ILogger logger, string stream);

    [LoggerMessage(EventId = 1607, EventName = "NatsInvalidCollection", Level = LogLevel.Debug,
        Message = "A commit's collection '{Collection}' is not a valid subject token; written under _invalid")]
    public static partial void InvalidCollection(this ILogger logger, string collection);

    [LoggerMessage(EventId = 1620, EventName = "NatsConsumerReady", Level = LogLevel.Information,
        Message = "Consuming NATS stream {Stream} with consumer {Consumer} on {Filter}")]
    public static partial void ConsumerReady(this ILogger logger, string stream, string consumer, string filter);

    [LoggerMessage(EventId = 1621, EventName = "NatsClientSideFilter", Level = LogLevel.Warning,
        Message = "nats-server {Version} allows one filter subject per consumer (several need 2.10); consumer {Consumer} reads {Filter} and skips the other subjects in the client")]
    public static partial void ClientSideFilter(this ILogger logger, string version, string consumer, string filter);

    [LoggerMessage(EventId = 1622, EventName = "NatsHandlerFailed", Level = LogLevel.Error,
        Message = "The handler failed on message {StreamSeq} (delivery {Delivery}); {Action}")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, ulong streamSeq, ulong delivery, string action);

    [LoggerMessage(EventId = 1623, EventName = "NatsUndecodable", Level = LogLevel.Warning,
        Message = "Message {StreamSeq} on {Subject} could not be decoded ({Reason}); terminated")]
    public static partial void Undecodable(this ILogger logger, ulong streamSeq, string subject, string reason);

    [LoggerMessage(EventId = 1624, EventName = "NatsConsumeFailed", Level = LogLevel.Warning,
        Message = "Consuming from NATS failed (attempt {Attempt}); retrying after {Delay}")]
    public static partial void ConsumeFailed(this ILogger logger, Exception exception, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 1625, EventName = "NatsHostedSettled", Level = LogLevel.Debug,
        Message = "Hosted NATS consumer: message {StreamSeq} (delivery {Delivery}) was not handled ({Why}); {Action}")]
    public static partial void HostedSettled(this ILogger logger, ulong streamSeq, ulong delivery, string why, string action);

    [LoggerMessage(EventId = 1626, EventName = "NatsHealthUnavailable", Level = LogLevel.Debug,
        Message = "Hosted NATS consumer: the consumer's state could not be read for the health check")]
    public static partial void HealthUnavailable(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1627, EventName = "NatsResumeIgnoredUntrusted", Level = LogLevel.Warning,
        Message = "Relay resume: {Count} messages at the stream's tail carry a cursor that cannot be trusted (marked so by the relay that wrote them, or out of bounds); they do not move the resume point")]
    public static partial void ResumeIgnoredUntrusted(this ILogger logger, int count);

    [LoggerMessage(EventId = 1635, EventName = "NatsHostedStopFlush", Level = LogLevel.Warning,
        Message = "Hosted NATS consumer stop: {Count} messages not handled were nak'ed, but their naks could not be confirmed sent ({Why}); the server delivers them again after AckWait")]
    public static partial void HostedStopUnflushed(this ILogger logger, int count, string why);
}
