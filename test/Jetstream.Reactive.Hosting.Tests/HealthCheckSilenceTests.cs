using Jetstream.Reactive.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>
/// The health check against the clock, in virtual time: an unfiltered stream that silently stopped delivering is not
/// Healthy forever; a quiet filtered stream is.
/// </summary>
public sealed class HealthCheckSilenceTests
{
    private static async Task<(HealthCheckResult Before, HealthCheckResult After)> CheckAroundSilenceAsync(Action<JetstreamHostingOptions> configure, TimeSpan silence)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection().AddTestHandlerServices().AddSingleton<TimeProvider>(clock);
        services.AddJetstream(o =>
        {
            o.HealthLagThreshold = TimeSpan.FromSeconds(60);
            configure(o);
        }).AddHandler<FastHandler>();
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<ConnectionMonitor>();
        var check = new JetstreamHealthCheck(monitor, provider.GetRequiredService<JetstreamHostedService>());
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("jetstream", check, HealthStatus.Unhealthy, null) };

        monitor.Starting();
        monitor.Connected("wss://host.example/subscribe");
        monitor.Received(new IdentityEvent("did:plc:q6gjnaw2blty4crticxkmujt", clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000, 1, clock.GetUtcNow(), null));
        clock.Advance(TimeSpan.FromSeconds(30));
        var before = await check.CheckHealthAsync(context);
        clock.Advance(silence);
        var after = await check.CheckHealthAsync(context);
        return (before, after);
    }

    [Test]
    public async Task CheckHealth_UnfilteredStreamSilentPastTheThreshold_Degraded()
    {
        var (before, after) = await CheckAroundSilenceAsync(_ => { }, TimeSpan.FromMinutes(10));

        Assert.That(before.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(before.Data["silentSeconds"], Is.EqualTo(30.0));
        Assert.That(after.Status, Is.EqualTo(HealthStatus.Degraded), "a firehose that delivers nothing has stopped, whatever its socket says");
        Assert.That(after.Description, Is.EqualTo("Connected to Jetstream at wss://host.example/subscribe, but no event for 630 s on an unfiltered stream (threshold 60 s)"));
    }

    [Test]
    public async Task CheckHealth_FilteredStreamSilentForAnHour_Healthy()
    {
        var (_, after) = await CheckAroundSilenceAsync(o => o.WantedDids.Add("did:plc:q6gjnaw2blty4crticxkmujt"), TimeSpan.FromHours(1));

        Assert.That(after.Status, Is.EqualTo(HealthStatus.Healthy), "a filtered stream may be quiet for hours");
        Assert.That(after.Data.ContainsKey("silentSeconds"), Is.False);
    }
}
