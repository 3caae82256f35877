using Jetstream.Reactive.Identifiers;
using Jetstream.Reactive.Protocol;

// Why this file is over 300 lines: every option's rule, in the order the options are documented, so that a reviewer
// checks docs/configuration.md against one file; the rules are independent one-liners with their messages, and
// splitting them by option would scatter the list.

namespace Jetstream.Reactive.Validation;

/// <summary>The checks behind <see cref="JetstreamOptions.Validate"/>, one error per problem.</summary>
internal static class OptionsValidation
{
    private const string O = nameof(JetstreamOptions);
    private const string F = nameof(JetstreamFilter);

    public static IEnumerable<JetstreamOptionError> GetErrors(JetstreamOptions options)
    {
        var protocolKnown = Enum.IsDefined(options.Protocol);
        if (!protocolKnown)
        {
            yield return E("Protocol", $"is {(int)options.Protocol}; it must be JetstreamProtocol.V1 or JetstreamProtocol.V2.");
        }

        var v2 = options.Protocol == JetstreamProtocol.V2;
        if (EndpointError("Endpoint", options.Endpoint, options.Protocol) is { } endpointError)
        {
            yield return endpointError;
        }

        foreach (var error in EndpointsErrors(options))
        {
            yield return error;
        }

        foreach (var error in CollectionErrors("WantedCollections", options.WantedCollections, v2))
        {
            yield return error;
        }

        foreach (var error in DidErrors("WantedDids", options.WantedDids))
        {
            yield return error;
        }

        foreach (var error in KindErrors(options))
        {
            yield return error;
        }

        if (options.Cursor is < 0)
        {
            yield return E("Cursor", $"is {options.Cursor}; it must be 0 or more (unix microseconds or a server sequence number), or null for the live tail.");
        }

        if (!Enum.IsDefined(options.OnCursorTooOld))
        {
            yield return E("OnCursorTooOld", $"is {(int)options.OnCursorTooOld}; it must be JetstreamCursorTooOldBehavior.Fail or JetstreamCursorTooOldBehavior.RestartFromLive.");
        }
        else if (options.OnCursorTooOld != JetstreamCursorTooOldBehavior.Fail && !v2 && protocolKnown)
        {
            yield return E("OnCursorTooOld", $"is {options.OnCursorTooOld}, which only protocol V2 has (a v1 server never rejects an old cursor: it starts at its oldest event); set Protocol = JetstreamProtocol.V2 or leave it at Fail.");
        }

        if (options.ServerMaxMessageSize is < 1)
        {
            yield return E("ServerMaxMessageSize", $"is {options.ServerMaxMessageSize}; it must be between 1 and 2,147,483,647 bytes, or null to send no limit.");
        }

        if (options.FailoverAfterAttempts is < 1 or > 1_000)
        {
            yield return E("FailoverAfterAttempts", $"is {options.FailoverAfterAttempts}; it must be between 1 and 1,000.");
        }

        if (options.FailoverRewind < TimeSpan.Zero || options.FailoverRewind > TimeSpan.FromDays(1))
        {
            yield return E("FailoverRewind", $"is {options.FailoverRewind}; it must be between 0 and 1 day.");
        }

        if (options.FailoverDedupeCapacity is < 1 or > 10_000_000)
        {
            yield return E("FailoverDedupeCapacity", $"is {options.FailoverDedupeCapacity}; it must be between 1 and 10,000,000.");
        }

        if (options.BufferCapacity is < 1 or > 10_000_000)
        {
            yield return E("BufferCapacity", $"is {options.BufferCapacity}; it must be between 1 and 10,000,000.");
        }

        if (options.BufferByteLimit < JetstreamOptions.MinBufferByteLimit)
        {
            yield return E("BufferByteLimit", $"is {options.BufferByteLimit}; it must be at least {JetstreamOptions.MinBufferByteLimit:N0} bytes (64 KiB); the default is {JetstreamOptions.DefaultBufferByteLimit:N0} (128 MiB).");
        }

        if (options.CursorSaveInterval < TimeSpan.FromMilliseconds(100) || options.CursorSaveInterval > TimeSpan.FromHours(1))
        {
            yield return E("CursorSaveInterval", $"is {options.CursorSaveInterval}; it must be between 100 ms and 1 hour.");
        }

        if (!Enum.IsDefined(options.Overflow))
        {
            yield return E("Overflow", $"is {(int)options.Overflow}; it must be DropIncoming or ResumeFromCursor.");
        }

        if (options.GapThreshold != Timeout.InfiniteTimeSpan && (options.GapThreshold < TimeSpan.FromSeconds(1) || options.GapThreshold > TimeSpan.FromDays(30)))
        {
            yield return E("GapThreshold", $"is {options.GapThreshold}; it must be between 1 s and 30 days, or Timeout.InfiniteTimeSpan.");
        }

        if (options.Backoff is null)
        {
            yield return E("Backoff", $"is null; set a BackoffPolicy (BackoffPolicy.Default is the default).");
        }
        else
        {
            foreach (var error in options.Backoff.GetErrors(O, "Backoff"))
            {
                yield return error;
            }
        }

        if (options.IdleTimeout is { } idle && idle != Timeout.InfiniteTimeSpan && (idle < TimeSpan.FromSeconds(1) || idle > TimeSpan.FromDays(1)))
        {
            yield return E("IdleTimeout", $"is {idle}; it must be between 1 s and 1 day, Timeout.InfiniteTimeSpan to disable it, or null for automatic.");
        }

        if (options.KeepAliveInterval != Timeout.InfiniteTimeSpan && (options.KeepAliveInterval < TimeSpan.FromMilliseconds(100) || options.KeepAliveInterval > TimeSpan.FromHours(1)))
        {
            yield return E("KeepAliveInterval", $"is {options.KeepAliveInterval}; it must be between 100 ms and 1 hour, or Timeout.InfiniteTimeSpan to send no pings.");
        }

        if (options.KeepAliveTimeout != Timeout.InfiniteTimeSpan && (options.KeepAliveTimeout < TimeSpan.FromMilliseconds(100) || options.KeepAliveTimeout > TimeSpan.FromMinutes(10)))
        {
            yield return E("KeepAliveTimeout", $"is {options.KeepAliveTimeout}; it must be between 100 ms and 10 minutes, or Timeout.InfiniteTimeSpan to not wait for pongs.");
        }

        if (options.CursorClockTolerance != Timeout.InfiniteTimeSpan && (options.CursorClockTolerance < TimeSpan.FromSeconds(1) || options.CursorClockTolerance > TimeSpan.FromDays(30)))
        {
            yield return E("CursorClockTolerance", $"is {options.CursorClockTolerance}; it must be between 1 s and 30 days, or Timeout.InfiniteTimeSpan to check only the fixed bounds.");
        }

        if (options.MaxMessageSize is < 1024 or > 1024 * 1024 * 1024)
        {
            yield return E("MaxMessageSize", $"is {options.MaxMessageSize}; it must be between 1,024 and 1,073,741,824 bytes.");
        }

        if (!Enum.IsDefined(options.Compression))
        {
            yield return E("Compression", $"is {(int)options.Compression}; it must be JetstreamCompression.None or JetstreamCompression.Zstd.");
        }

        if (options.ZstdDictionaryDirectory is { } directory)
        {
            if (!v2 && protocolKnown)
            {
                yield return E("ZstdDictionaryDirectory", $"is '{Printable(directory)}', which only protocol V2 uses (v1's dictionary is bundled and fixed); set Protocol = JetstreamProtocol.V2 or leave it null.");
            }
            else if (string.IsNullOrWhiteSpace(directory) || directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            {
                yield return E("ZstdDictionaryDirectory", $"is '{Printable(directory)}'; it must be a directory path, or null to cache dictionaries in memory only.");
            }
        }

        if (options.Scheduler is null)
        {
            yield return E("Scheduler", $"is null; set an IScheduler (DefaultScheduler.Instance is the default).");
        }
        else if (options.Scheduler is System.Reactive.Concurrency.ImmediateScheduler or System.Reactive.Concurrency.CurrentThreadScheduler)
        {
            // These run work on the calling thread: the subscriber would run on the socket reader, and timers would block it.
            yield return E("Scheduler", $"is {options.Scheduler.GetType().Name}, which runs work on the socket reader's thread; use a scheduler with its own threads (DefaultScheduler.Instance, TaskPoolScheduler, an EventLoopScheduler) or a TestScheduler.");
        }

        if (options.LoggerFactory is null)
        {
            yield return E("LoggerFactory", $"is null; set an ILoggerFactory (NullLoggerFactory.Instance is the default).");
        }

        if (options.Transport is null)
        {
            yield return E("Transport", $"is null; set an IJetstreamTransport (ClientWebSocketTransport.Default is the default).");
        }

        if (options.DictionarySource is null)
        {
            yield return E("DictionarySource", $"is null; set an IJetstreamDictionarySource (ClientWebSocketTransport.Default is the default).");
        }
    }

    private static IEnumerable<JetstreamOptionError> EndpointsErrors(JetstreamOptions options)
    {
        var endpoints = options.Endpoints;
        if (endpoints is null)
        {
            yield return E("Endpoints", $"is null; use an empty list to connect to Endpoint alone.");
            yield break;
        }

        if (endpoints.Count == 0)
        {
            yield break;
        }

        if (options.Endpoint != JetstreamOptions.DefaultEndpoint)
        {
            yield return E("Endpoint", $"is '{options.Endpoint}' while Endpoints is set; set one or the other (Endpoint is the one-server shorthand for Endpoints).");
        }

        if (endpoints.Count > 100)
        {
            yield return E("Endpoints", $"has {endpoints.Count} servers; at most 100 are allowed.");
        }

        var seen = new Dictionary<Uri, int>();
        for (var i = 0; i < endpoints.Count && i < 100; i++)
        {
            if (EndpointError($"Endpoints[{i}]", endpoints[i], options.Protocol) is { } error)
            {
                yield return error;
            }
            else if (!seen.TryAdd(endpoints[i], i))
            {
                yield return E($"Endpoints[{i}]", $"is '{endpoints[i]}', the same server as Endpoints[{seen[endpoints[i]]}]; list each server once.");
            }
        }
    }

    /// <summary>The checks of one <see cref="JetstreamOptions.FilterUpdates"/> value against the stream's options.</summary>
    public static IEnumerable<JetstreamOptionError> FilterErrors(JetstreamFilter? filter, JetstreamOptions options)
    {
        if (filter is null)
        {
            yield return new(F, string.Empty, "is null; use new JetstreamFilter() for everything.");
            yield break;
        }

        var v2 = options.Protocol == JetstreamProtocol.V2;
        foreach (var error in CollectionErrors("WantedCollections", filter.WantedCollections, v2, F))
        {
            yield return error;
        }

        foreach (var error in DidErrors("WantedDids", filter.WantedDids, F))
        {
            yield return error;
        }

        if (v2 && options.Kinds.Count > 0 && !options.Kinds.Contains(JetstreamEventKind.Commit) && filter.WantedCollections is { Count: > 0 })
        {
            yield return new(F, "WantedCollections", $"is set while {O}.Kinds is [{string.Join(", ", options.Kinds)}]; collections filter commits only, so a v2 server would reject it.");
        }
    }

    private static JetstreamOptionError? EndpointError(string name, Uri? endpoint, JetstreamProtocol protocol)
    {
        if (endpoint is null)
        {
            return E(name, $"is null; it must be a ws:// or wss:// URL such as {JetstreamOptions.DefaultEndpoint}.");
        }

        if (!endpoint.IsAbsoluteUri)
        {
            return E(name, $"is '{endpoint}'; it must be an absolute ws:// or wss:// URL such as {JetstreamOptions.DefaultEndpoint}.");
        }

        if (endpoint.Scheme is not ("ws" or "wss"))
        {
            return E(name, $"is '{endpoint}'; its scheme is '{endpoint.Scheme}', and only ws and wss are allowed.");
        }

        if (endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0)
        {
            return E(name, $"is '{endpoint}'; it must not have a query or fragment: set filters and the cursor as options.");
        }

        if (endpoint.UserInfo.Length > 0)
        {
            return E(name, $"has user information; Jetstream is unauthenticated, so a URL without 'user@' is required.");
        }

        // The other protocol's path would reach a server that rejects this protocol's parameters; say so now.
        var path = endpoint.AbsolutePath.TrimEnd('/');
        if (protocol == JetstreamProtocol.V2 && path.EndsWith(SubscribeRequest.V1Path, StringComparison.Ordinal))
        {
            return E(name, $"is '{endpoint}', whose path '{endpoint.AbsolutePath}' is protocol V1's; with Protocol V2 leave the path empty or use '{SubscribeRequest.V2Path}'.");
        }

        if (protocol == JetstreamProtocol.V1 && path.EndsWith(SubscribeRequest.V2Method, StringComparison.Ordinal))
        {
            return E(name, $"is '{endpoint}', whose path '{endpoint.AbsolutePath}' is protocol V2's; set Protocol = JetstreamProtocol.V2, or leave the path empty for V1's '{SubscribeRequest.V1Path}'.");
        }

        return null;
    }

    private static IEnumerable<JetstreamOptionError> KindErrors(JetstreamOptions options)
    {
        var kinds = options.Kinds;
        if (kinds is null)
        {
            yield return E("Kinds", $"is null; use an empty list for every kind.");
            yield break;
        }

        if (kinds.Count == 0)
        {
            yield break;
        }

        if (options.Protocol == JetstreamProtocol.V1)
        {
            yield return E("Kinds", $"is [{string.Join(", ", kinds)}], but only protocol V2 has a kinds filter (a v1 server always sends identity and account events); set Protocol = JetstreamProtocol.V2, or leave Kinds empty and filter with OfType<T>().");
            yield break;
        }

        for (var i = 0; i < kinds.Count; i++)
        {
            if (!Enum.IsDefined(kinds[i]))
            {
                yield return E($"Kinds[{i}]", $"is {(int)kinds[i]}; each value must be Commit, Identity, Account or Sync.");
                yield break;
            }
        }

        if (options.WantedCollections is { Count: > 0 } && !kinds.Contains(JetstreamEventKind.Commit))
        {
            yield return E("Kinds", $"is [{string.Join(", ", kinds)}] while WantedCollections is set; collections filter commits only, so Kinds must include Commit (a v2 server rejects the request otherwise).");
        }
    }

    /// <summary>The checks of a collection list, for options and for filter updates.</summary>
    public static IEnumerable<JetstreamOptionError> CollectionErrors(string name, IReadOnlyList<string>? collections, bool v2, string owner = O)
    {
        if (collections is null)
        {
            yield return new(owner, name, $"is null; use an empty list for all collections.");
            yield break;
        }

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        var shown = 0;
        for (var i = 0; i < collections.Count; i++)
        {
            var c = collections[i];
            if (!Nsid.IsValidFilter(c))
            {
                if (shown++ < 5)
                {
                    yield return new(owner, $"{name}[{i}]", $"is '{Printable(c)}'; each value must be a full NSID such as 'app.bsky.feed.post' or a prefix ending in '.*' such as 'app.bsky.graph.*' (no empty values, no bare '*').");
                }

                continue;
            }

            if (v2 && !Nsid.IsValidV2Filter(c))
            {
                if (shown++ < 5)
                {
                    yield return new(owner, $"{name}[{i}]", $"is '{Printable(c)}'; with protocol V2 a prefix must have at least two segments before '.*' (such as 'app.bsky.*'), because the server checks that it could start an NSID.");
                }

                continue;
            }

            distinct.Add(c);
        }

        if (distinct.Count > JetstreamOptions.MaxWantedCollections)
        {
            yield return new(owner, name, $"has {distinct.Count} distinct values; at most {JetstreamOptions.MaxWantedCollections} are allowed (a prefix such as 'app.bsky.*' covers many).");
        }
    }

    /// <summary>The checks of a DID list, for options and for filter updates.</summary>
    public static IEnumerable<JetstreamOptionError> DidErrors(string name, IReadOnlyList<string>? dids, string owner = O)
    {
        if (dids is null)
        {
            yield return new(owner, name, $"is null; use an empty list for all repositories.");
            yield break;
        }

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        var shown = 0;
        for (var i = 0; i < dids.Count; i++)
        {
            var d = dids[i];
            if (!Did.IsValid(d))
            {
                if (shown++ < 5)
                {
                    yield return new(owner, $"{name}[{i}]", $"is '{Printable(d)}'; each value must be a DID such as 'did:plc:q6gjnaw2blty4crticxkmujt' or 'did:web:example.com'.");
                }

                continue;
            }

            distinct.Add(d);
        }

        if (distinct.Count > JetstreamOptions.MaxWantedDids)
        {
            yield return new(owner, name, $"has {distinct.Count} distinct values; at most {JetstreamOptions.MaxWantedDids:N0} are allowed.");
        }
    }

    private static JetstreamOptionError E(string path, string problem) => new(O, path, problem);

    private static string Printable(string? value) =>
        value is null ? "(null)" : value.Length > 80 ? string.Concat(value.AsSpan(0, 80), "…") : value;
}
