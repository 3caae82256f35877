namespace Jetstream.Reactive.Internal;

/// <summary>The checks behind <see cref="JetstreamOptions.Validate"/>, one message per problem.</summary>
internal static class OptionsValidation
{
    private const string O = nameof(JetstreamOptions);

    public static IEnumerable<string> GetErrors(JetstreamOptions options)
    {
        if (EndpointError(options.Endpoint) is { } endpointError)
        {
            yield return endpointError;
        }

        foreach (var error in CollectionErrors(options.WantedCollections))
        {
            yield return error;
        }

        foreach (var error in DidErrors(options.WantedDids))
        {
            yield return error;
        }

        if (options.Cursor is < 0)
        {
            yield return $"{O}.Cursor is {options.Cursor}; it must be 0 or more (unix microseconds or a server sequence number), or null for the live tail.";
        }

        if (options.BufferCapacity is < 1 or > 10_000_000)
        {
            yield return $"{O}.BufferCapacity is {options.BufferCapacity}; it must be between 1 and 10,000,000.";
        }

        if (options.Backoff is null)
        {
            yield return $"{O}.Backoff is null; set a BackoffPolicy (BackoffPolicy.Default is the default).";
        }
        else
        {
            foreach (var error in options.Backoff.GetErrors($"{O}.Backoff"))
            {
                yield return error;
            }
        }

        if (options.IdleTimeout != Timeout.InfiniteTimeSpan && (options.IdleTimeout < TimeSpan.FromSeconds(1) || options.IdleTimeout > TimeSpan.FromDays(1)))
        {
            yield return $"{O}.IdleTimeout is {options.IdleTimeout}; it must be between 1 s and 1 day, or Timeout.InfiniteTimeSpan to disable it.";
        }

        if (options.MaxMessageSize is < 1024 or > 1024 * 1024 * 1024)
        {
            yield return $"{O}.MaxMessageSize is {options.MaxMessageSize}; it must be between 1,024 and 1,073,741,824 bytes.";
        }

        if (!Enum.IsDefined(options.Compression))
        {
            yield return $"{O}.Compression is {(int)options.Compression}; it must be JetstreamCompression.None or JetstreamCompression.Zstd.";
        }

        if (options.Scheduler is null)
        {
            yield return $"{O}.Scheduler is null; set an IScheduler (DefaultScheduler.Instance is the default).";
        }
        else if (options.Scheduler is System.Reactive.Concurrency.ImmediateScheduler or System.Reactive.Concurrency.CurrentThreadScheduler)
        {
            // These run work on the calling thread: the subscriber would run on the socket reader, and timers would block it.
            yield return $"{O}.Scheduler is {options.Scheduler.GetType().Name}, which runs work on the socket reader's thread; use a scheduler with its own threads (DefaultScheduler.Instance, TaskPoolScheduler, an EventLoopScheduler) or a TestScheduler.";
        }

        if (options.LoggerFactory is null)
        {
            yield return $"{O}.LoggerFactory is null; set an ILoggerFactory (NullLoggerFactory.Instance is the default).";
        }

        if (options.Transport is null)
        {
            yield return $"{O}.Transport is null; set an IJetstreamTransport (ClientWebSocketTransport.Default is the default).";
        }
    }

    private static string? EndpointError(Uri? endpoint)
    {
        if (endpoint is null)
        {
            return $"{O}.Endpoint is null; it must be a ws:// or wss:// URL such as {JetstreamOptions.DefaultEndpoint}.";
        }

        if (!endpoint.IsAbsoluteUri)
        {
            return $"{O}.Endpoint is '{endpoint}'; it must be an absolute ws:// or wss:// URL such as {JetstreamOptions.DefaultEndpoint}.";
        }

        if (endpoint.Scheme is not ("ws" or "wss"))
        {
            return $"{O}.Endpoint is '{endpoint}'; its scheme is '{endpoint.Scheme}', and only ws and wss are allowed.";
        }

        if (endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0)
        {
            return $"{O}.Endpoint is '{endpoint}'; it must not have a query or fragment: set filters and the cursor as options.";
        }

        if (endpoint.UserInfo.Length > 0)
        {
            return $"{O}.Endpoint has user information; Jetstream is unauthenticated, so a URL without 'user@' is required.";
        }

        return null;
    }

    private static IEnumerable<string> CollectionErrors(IReadOnlyList<string>? collections)
    {
        if (collections is null)
        {
            yield return $"{O}.WantedCollections is null; use an empty list for all collections.";
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
                    yield return $"{O}.WantedCollections[{i}] is '{Printable(c)}'; each value must be a full NSID such as 'app.bsky.feed.post' or a prefix ending in '.*' such as 'app.bsky.graph.*' (no empty values, no bare '*').";
                }

                continue;
            }

            distinct.Add(c);
        }

        if (distinct.Count > JetstreamOptions.MaxWantedCollections)
        {
            yield return $"{O}.WantedCollections has {distinct.Count} distinct values; at most {JetstreamOptions.MaxWantedCollections} are allowed (a prefix such as 'app.bsky.*' covers many).";
        }
    }

    private static IEnumerable<string> DidErrors(IReadOnlyList<string>? dids)
    {
        if (dids is null)
        {
            yield return $"{O}.WantedDids is null; use an empty list for all repositories.";
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
                    yield return $"{O}.WantedDids[{i}] is '{Printable(d)}'; each value must be a DID such as 'did:plc:q6gjnaw2blty4crticxkmujt' or 'did:web:example.com'.";
                }

                continue;
            }

            distinct.Add(d);
        }

        if (distinct.Count > JetstreamOptions.MaxWantedDids)
        {
            yield return $"{O}.WantedDids has {distinct.Count} distinct values; at most {JetstreamOptions.MaxWantedDids:N0} are allowed.";
        }
    }

    private static string Printable(string? value) =>
        value is null ? "(null)" : value.Length > 80 ? string.Concat(value.AsSpan(0, 80), "…") : value;
}
