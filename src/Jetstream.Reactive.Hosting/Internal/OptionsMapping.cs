using System.Reactive.Concurrency;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>Turns the bindable <see cref="JetstreamHostingOptions"/> into the library's <see cref="JetstreamOptions"/>.</summary>
internal static class OptionsMapping
{
    /// <summary>
    /// The client settings of <paramref name="options"/>; services (logging, metrics, transport, cursor store) are left at
    /// the library's defaults for the caller to set. Nulls set in code pass through, for validation to name them.
    /// </summary>
    public static JetstreamOptions ToClientOptions(JetstreamHostingOptions options) => new()
    {
        Protocol = options.Protocol,
        Endpoint = options.Endpoint ?? JetstreamOptions.DefaultEndpoint,
        Endpoints = options.Endpoints?.ToArray()!,
        FailoverAfterAttempts = options.FailoverAfterAttempts,
        FailoverRewind = options.FailoverRewind,
        FailoverDedupeCapacity = options.FailoverDedupeCapacity,
        WantedCollections = options.WantedCollections?.ToArray()!,
        WantedDids = options.WantedDids?.ToArray()!,
        Kinds = options.Kinds?.ToArray()!,
        Cursor = options.Cursor,
        OnCursorTooOld = options.OnCursorTooOld,
        ServerMaxMessageSize = options.ServerMaxMessageSize,
        CursorSaveInterval = options.CursorSaveInterval,
        Overflow = options.Overflow,
        GapThreshold = options.GapThreshold,
        Gaps = options.Gaps,
        BufferCapacity = options.BufferCapacity,
        BufferByteLimit = options.BufferByteLimit,
        Backoff = options.Backoff is { } b
            ? new BackoffPolicy { InitialDelay = b.InitialDelay, MaxDelay = b.MaxDelay, Multiplier = b.Multiplier, Jitter = b.Jitter }
            : null!,
        IdleTimeout = options.IdleTimeout,
        KeepAliveInterval = options.KeepAliveInterval,
        KeepAliveTimeout = options.KeepAliveTimeout,
        CursorClockTolerance = options.CursorClockTolerance,
        MaxMessageSize = options.MaxMessageSize,
        Compression = options.Compression,
        ZstdDictionaryDirectory = options.ZstdDictionaryDirectory,
        FilterUpdates = options.FilterUpdates,
        RetainRawJson = options.RetainRawJson,
        Scheduler = options.Scheduler ?? DefaultScheduler.Instance,
    };
}
