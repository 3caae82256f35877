using Jetstream.Reactive.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jetstream.Reactive.Hosting;

/// <summary>Adds the hosted Jetstream consumer's health check.</summary>
public static class JetstreamHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds a check of the consumer registered with <c>AddJetstream</c>: <see cref="HealthStatus.Healthy"/> when connected and
    /// within <see cref="JetstreamHostingOptions.HealthLagThreshold"/>; <see cref="HealthStatus.Degraded"/> while connecting,
    /// while reconnecting (the description and data give the retry number and the last error) or when the stream or a
    /// handler lags; <paramref name="failureStatus"/> when stopped. The data holds the state, endpoint, lag, counters and,
    /// per handler, its pending, handled, failed and dropped events and its lag.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name. Default <see cref="JetstreamHosting.HealthCheckName"/>.</param>
    /// <param name="failureStatus">The status when stopped. Default <see langword="null"/>: <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by, such as <c>ready</c>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddJetstream(this IHealthChecksBuilder builder, string name = JetstreamHosting.HealthCheckName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static services => new JetstreamHealthCheck(services.GetRequiredService<ConnectionMonitor>(), services.GetRequiredService<JetstreamHostedService>()),
            failureStatus,
            tags));
    }
}
