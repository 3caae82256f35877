using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>
/// Reports the hosted consumer: <c>Healthy</c> when connected and within <see cref="JetstreamHostingOptions.HealthLagThreshold"/>;
/// <c>Degraded</c> while connecting, while reconnecting (with the retry number and the last error), when lagging, or
/// when an unfiltered stream has received nothing for longer than the threshold (it silently stopped delivering);
/// the registration's failure status (default <c>Unhealthy</c>) when stopped, with the error that ended the stream if any.
/// The data carries the numbers behind it, per handler too.
/// </summary>
internal sealed class JetstreamHealthCheck(ConnectionMonitor monitor, JetstreamHostedService service) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var s = monitor.Snapshot();
        var handlers = service.Handlers;
        var threshold = service.Options.HealthLagThreshold;
        var data = new Dictionary<string, object>
        {
            ["state"] = s.State.ToString(),
            ["eventsReceived"] = s.EventsReceived,
            ["reconnects"] = s.Reconnects,
        };
        Add(data, "endpoint", s.Endpoint);
        Add(data, "since", s.Since);
        Add(data, "lagSeconds", s.Lag?.TotalSeconds);
        Add(data, "lastEventAt", s.LastEventAt);
        Add(data, "lastError", s.LastError);
        Add(data, "lastErrorAt", s.LastErrorAt);
        if (s.State == ConnectionState.Reconnecting)
        {
            data["attempt"] = s.Attempt;
        }

        TimeSpan? worstLag = s.Lag;
        string? worstName = s.Lag is null ? null : "stream";
        foreach (var h in handlers)
        {
            var prefix = $"handler.{h.Name}.";
            data[prefix + "pending"] = h.Pending;
            data[prefix + "handled"] = h.Handled;
            data[prefix + "failed"] = h.Failed;
            data[prefix + "dropped"] = h.Dropped;
            Add(data, prefix + "lagSeconds", h.Lag?.TotalSeconds);
            if (h.Lag is { } lag && (worstLag is null || lag > worstLag))
            {
                worstLag = lag;
                worstName = $"handler {h.Name}";
            }
        }

        // Lag against the clock: an unfiltered stream is never quiet for long, so a connection that stopped delivering
        // (a server that keeps the socket open but sends nothing) falls behind the clock even though its last event
        // arrived on time. A filtered stream may be legitimately quiet for hours, so silence alone says nothing there.
        TimeSpan? silent = null;
        // An event source (a log's consumer) is legitimately quiet once it has caught up: its own health says more.
        var source = service.Source;
        if (source is null && s.State == ConnectionState.Connected && IsUnfiltered(service.Options) && (s.LastEventAt ?? s.Since) is { } since)
        {
            silent = monitor.Time.GetUtcNow() - (s.Since > since ? s.Since.Value : since);
            data["silentSeconds"] = silent.Value.TotalSeconds;
        }

        var result = s.State switch
        {
            ConnectionState.Stopped => new HealthCheckResult(
                context.Registration.FailureStatus,
                s.Error is null ? "Jetstream consumer stopped" : $"Jetstream stream ended: {s.Error.Message}",
                s.Error,
                data),
            ConnectionState.Connecting => HealthCheckResult.Degraded($"Connecting to Jetstream{At(s.Endpoint)}", null, data),
            ConnectionState.Reconnecting => HealthCheckResult.Degraded(
                $"Reconnecting to Jetstream{At(s.Endpoint)} (retry {s.Attempt}); last error: {s.LastError ?? "none"}", null, data),
            _ when silent > threshold => HealthCheckResult.Degraded(
                $"Connected to Jetstream{At(s.Endpoint)}, but no event for {Seconds(silent.Value)} on an unfiltered stream (threshold {Seconds(threshold)})", null, data),
            _ when worstLag > threshold => HealthCheckResult.Degraded(
                $"Connected to Jetstream{At(s.Endpoint)}, but {worstName} lags {Seconds(worstLag.Value)} behind (threshold {Seconds(threshold)})", null, data),
            _ => HealthCheckResult.Healthy($"Connected to Jetstream{At(s.Endpoint)}", data),
        };
        return source is null || s.State == ConnectionState.Stopped ? result : await WithSourceAsync(result, source, data, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the source's data under <c>source.</c>; a source status worse than the connection's decides.</summary>
    private static async Task<HealthCheckResult> WithSourceAsync(HealthCheckResult result, IJetstreamEventSource source, Dictionary<string, object> data, CancellationToken cancellationToken)
    {
        JetstreamSourceHealth health;
        try
        {
            health = await source.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            health = new JetstreamSourceHealth(HealthStatus.Degraded, $"{source.Description}: its health could not be read: {e.Message}", new Dictionary<string, object>());
        }

        data["source"] = source.Description;
        foreach (var (key, value) in health.Data)
        {
            data["source." + key] = value;
        }

        return health.Status < result.Status
            ? new HealthCheckResult(health.Status, health.Description ?? result.Description, null, data)
            : new HealthCheckResult(result.Status, result.Description, result.Exception, data);
    }

    private static bool IsUnfiltered(JetstreamHostingOptions options) =>
        options.WantedCollections.Count == 0 && options.WantedDids.Count == 0 && options.Kinds.Count == 0;

    private static void Add(Dictionary<string, object> data, string key, object? value)
    {
        if (value is not null)
        {
            data[key] = value;
        }
    }

    private static string At(string? endpoint) => endpoint is null ? string.Empty : $" at {endpoint}";

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.###} s");
}
