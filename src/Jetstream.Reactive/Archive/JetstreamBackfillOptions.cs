using System.Globalization;

namespace Jetstream.Reactive.Archive;

/// <summary>
/// Settings of <see cref="JetstreamArchive.Backfill"/>: where history starts (and, for a snapshot, ends), the v2 live
/// connection to continue on, and how history is downloaded. The filter is the live options' <c>Kinds</c>,
/// <c>WantedDids</c> and <c>WantedCollections</c>: one filter for the plan, the replayed rows and the live socket.
/// </summary>
public sealed record JetstreamBackfillOptions
{
    /// <summary>Seq values at or above this are timestamps, never seqs (PROTOCOL §5.3).</summary>
    public const long MaxSeq = 999_999_999_999_999;

    /// <summary>Creates options for the v2 live connection <paramref name="live"/>.</summary>
    /// <param name="live">The live connection to continue on after history; its protocol must be V2.</param>
    public JetstreamBackfillOptions(JetstreamOptions live)
    {
        ArgumentNullException.ThrowIfNull(live);
        Live = live;
    }

    /// <summary>The live connection (v2): endpoint, filter, scheduler, logging and metrics. Its <c>Cursor</c> is set by the backfill.</summary>
    public JetstreamOptions Live { get; init; }

    /// <summary>The archive's HTTP base, such as <c>https://host</c>; default: the live endpoint with <c>ws</c>/<c>wss</c> turned into <c>http</c>/<c>https</c>.</summary>
    public Uri? ArchiveEndpoint { get; init; }

    /// <summary>Deliver events with seq above this: 0 replays the whole archive; a saved <see cref="JetstreamEvent.Cursor"/> resumes after it.</summary>
    public long AfterSeq { get; init; }

    /// <summary>An inclusive upper bound; only with <see cref="SnapshotOnly"/> (a stream going on live would drop every later event).</summary>
    public long? BeforeSeq { get; init; }

    /// <summary>Deliver the matching sealed history, then complete without opening the live socket.</summary>
    public bool SnapshotOnly { get; init; }

    /// <summary>Blocks downloaded and decoded at once (1 to 64). Output order never depends on it; memory grows with it (one block each).</summary>
    public int DownloadConcurrency { get; init; } = Math.Clamp(Environment.ProcessorCount, 2, 8);

    /// <summary>The archive key, sent as <c>Authorization: Bearer</c> on planSnapshot, getSegment and getBlock only; never logged.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Attempts for each archive call and each block, the first included (1 to 20).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The first retry's delay; each next one doubles, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between attempts, also the cap on a server's <c>Retry-After</c>.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest planSnapshot or getBlock request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest whole-segment download (real segments are about 256 MiB).</summary>
    public TimeSpan SegmentTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The largest segment file accepted.</summary>
    public long MaxSegmentBytes { get; init; } = 1L << 30;

    /// <summary>Where downloaded segments are spooled (each deleted once replayed); default the system temp directory.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Receives a progress snapshot after each replayed block and at each phase change (called on the replay's thread: keep it quick).</summary>
    public IObserver<JetstreamBackfillProgress>? Progress { get; init; }

    /// <summary>The clock for timeouts, retry delays and progress times.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The HTTP handler; default a <see cref="System.Net.Http.SocketsHttpHandler"/>. Tests inject their own.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Re-backfills after <c>CursorTooOld</c> that make no progress, in a row, before the stream fails.</summary>
    public const int MaxStalls = 5;

    /// <summary>Checks every setting; throws <see cref="JetstreamOptionsException"/> listing each bad one with its value and what is allowed.</summary>
    public void Validate()
    {
        var errors = new List<JetstreamOptionError>();
        const string O = nameof(JetstreamBackfillOptions);
        if (Live.Protocol != JetstreamProtocol.V2)
        {
            errors.Add(new(O, "Live.Protocol", $"is {Live.Protocol}; the archive is a Jetstream v2 service: set it to JetstreamProtocol.V2."));
        }

        if (Live.FilterUpdates is not null)
        {
            errors.Add(new(O, "Live.FilterUpdates", "is set; a backfill keeps one filter for history and live: leave it null."));
        }

        if (Live.Endpoints.Count > 1)
        {
            errors.Add(new(O, "Live.Endpoints", string.Create(CultureInfo.InvariantCulture, $"has {Live.Endpoints.Count} hosts; a backfill hands over at one seq, and seqs belong to one host: give one endpoint.")));
        }

        if (Live.CursorStore is not null)
        {
            errors.Add(new(O, "Live.CursorStore", "is set; a backfill resumes from AfterSeq: save JetstreamEvent.Cursor yourself and leave it null."));
        }

        if (AfterSeq is < 0 or > MaxSeq)
        {
            errors.Add(new(O, "AfterSeq", string.Create(CultureInfo.InvariantCulture, $"is {AfterSeq}; it must be a seq from 0 to {MaxSeq} (a microsecond timestamp is not a v2 seq).")));
        }

        if (BeforeSeq is { } before)
        {
            if (!SnapshotOnly)
            {
                errors.Add(new(O, "BeforeSeq", string.Create(CultureInfo.InvariantCulture, $"is {before}; it needs SnapshotOnly = true (a stream going on live would drop every later event).")));
            }

            if (before <= AfterSeq || before > MaxSeq)
            {
                errors.Add(new(O, "BeforeSeq", string.Create(CultureInfo.InvariantCulture, $"is {before}; it must be above AfterSeq ({AfterSeq}) and at most {MaxSeq}.")));
            }
        }

        if (DownloadConcurrency is < 1 or > 64)
        {
            errors.Add(new(O, "DownloadConcurrency", string.Create(CultureInfo.InvariantCulture, $"is {DownloadConcurrency}; it must be from 1 to 64.")));
        }

        if (ApiKey is not null && string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add(new(O, "ApiKey", "is empty; give a key or leave it null."));
        }

        if (MaxAttempts is < 1 or > 20)
        {
            errors.Add(new(O, "MaxAttempts", string.Create(CultureInfo.InvariantCulture, $"is {MaxAttempts}; it must be from 1 to 20.")));
        }

        if (RetryBaseDelay < TimeSpan.Zero || RetryBaseDelay > MaxRetryDelay || MaxRetryDelay > TimeSpan.FromMinutes(10))
        {
            errors.Add(new(O, "RetryBaseDelay", $"is {RetryBaseDelay} and MaxRetryDelay {MaxRetryDelay}; they must satisfy 0 <= RetryBaseDelay <= MaxRetryDelay <= 10 minutes."));
        }

        if (RequestTimeout <= TimeSpan.Zero || SegmentTimeout <= TimeSpan.Zero)
        {
            errors.Add(new(O, "RequestTimeout", $"is {RequestTimeout} and SegmentTimeout {SegmentTimeout}; both must be positive."));
        }

        if (MaxSegmentBytes is < 4096 or > 4L << 30)
        {
            errors.Add(new(O, "MaxSegmentBytes", string.Create(CultureInfo.InvariantCulture, $"is {MaxSegmentBytes}; it must be from 4096 to 4 GiB.")));
        }

        var endpoint = ResolveArchiveEndpoint();
        if (endpoint is null || endpoint.Scheme is not ("http" or "https"))
        {
            errors.Add(new(O, "ArchiveEndpoint", $"is {ArchiveEndpoint?.ToString() ?? "(from Live.Endpoint " + Live.Endpoint + ")"}; it must be an absolute http or https URL."));
        }

        try
        {
            Live.Validate();
        }
        catch (JetstreamOptionsException e)
        {
            errors.AddRange(e.OptionErrors.Select(error => error.Under(O, nameof(Live))));
        }

        if (errors.Count > 0)
        {
            throw new JetstreamOptionsException(errors);
        }
    }

    /// <summary>A summary without the API key.</summary>
    /// <returns>The endpoint, the bounds and the download settings.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"JetstreamBackfillOptions {{ ArchiveEndpoint = {ResolveArchiveEndpoint()}, AfterSeq = {AfterSeq}, BeforeSeq = {BeforeSeq}, SnapshotOnly = {SnapshotOnly}, DownloadConcurrency = {DownloadConcurrency}, ApiKey = {(ApiKey is null ? "(none)" : "(set)")} }}");

    internal Uri? ResolveArchiveEndpoint()
    {
        if (ArchiveEndpoint is { } explicitUri)
        {
            return explicitUri.IsAbsoluteUri ? explicitUri : null;
        }

        var live = Live.Endpoints.Count > 0 ? Live.Endpoints[0] : Live.Endpoint;
        if (live is null || !live.IsAbsoluteUri)
        {
            return null;
        }

        var builder = new UriBuilder(live) { Scheme = live.Scheme switch { "wss" => "https", "ws" => "http", var s => s }, Path = "/", Query = string.Empty };
        if (live.IsDefaultPort)
        {
            builder.Port = -1;
        }

        return builder.Uri;
    }
}
