using Jetstream.Reactive.Hosting.Internal;
using Jetstream.Reactive.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>The health check's states: connected, reconnecting (retry and last error), stopped (and why), lag.</summary>
[CancelAfter(120_000)]
public sealed class HealthCheckTests
{
    private static IHost Host(JetstreamTestServer server, Action<Dictionary<string, string?>>? settings = null, Action<IServiceCollection>? services = null)
    {
        var values = TestHosts.For(server);
        settings?.Invoke(values);
        return TestHosts.Build(values, j => j.AddHandler<FastHandler>(), s =>
        {
            s.AddTestHandlerServices();
            s.AddHealthChecks().AddJetstream();
            services?.Invoke(s);
        });
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host, CancellationToken token) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(token)).Entries[JetstreamHosting.HealthCheckName];

    [Test]
    public async Task CheckHealth_BeforeStartWhileConnectedAfterStop_UnhealthyHealthyUnhealthy(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromGenerator(TestHosts.Post, 5) }, token);
        using var host = Host(server);

        var before = await CheckAsync(host, token);
        await host.StartAsync(token);
        await host.Services.GetRequiredService<FastRecorder>().WaitForAsync(5, token);
        var connected = await CheckAsync(host, token);
        await host.StopAsync(token);
        var after = await CheckAsync(host, token);

        Assert.That(before.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(before.Description, Is.EqualTo("Jetstream consumer stopped"));
        Assert.That(connected.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(connected.Description, Does.StartWith("Connected to Jetstream at ws://127.0.0.1:"));
        Assert.That(connected.Data["state"], Is.EqualTo("Connected"));
        Assert.That(connected.Data["eventsReceived"], Is.EqualTo(5));
        Assert.That((double)connected.Data["lagSeconds"], Is.LessThan(60));
        Assert.That(connected.Data["handler.FastHandler.handled"], Is.EqualTo(5));
        Assert.That(connected.Data["handler.FastHandler.pending"], Is.EqualTo(0));
        Assert.That(after.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(after.Data["state"], Is.EqualTo("Stopped"));
    }

    [Test]
    public async Task CheckHealth_ServerRefusingUpgrades_DegradedWithRetryAndLastError(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Faults = new FaultPlan().WarmUp(1_000) }, token);
        using var host = Host(server);

        await host.StartAsync(token);
        // A third attempt starts only after the second failure was reported, retry number and all.
        await server.WaitForConnectionsAsync(3, TestHosts.Deadline, token);
        var entry = await CheckAsync(host, token);
        await host.StopAsync(token);

        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(entry.Data["state"], Is.EqualTo("Reconnecting"));
        Assert.That((int)entry.Data["attempt"], Is.GreaterThanOrEqualTo(2));
        Assert.That((string)entry.Data["lastError"], Does.Contain("503"));
        Assert.That(entry.Description, Does.Match(@"^Reconnecting to Jetstream at ws://127\.0\.0\.1:\d+/subscribe \(retry \d+\); last error: .*503"));
    }

    [Test]
    public async Task CheckHealth_RequestRejected_UnhealthyWithTheErrorAndTheHostStops(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Faults = new FaultPlan().Next(s => s.RejectUpgrade(400, "bad request: no such collection")) }, token);
        using var host = Host(server);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());

        await host.StartAsync(token);
        await stopping.Task.WaitAsync(TestHosts.Deadline, token);
        var entry = await CheckAsync(host, token);
        await host.StopAsync(token);

        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(entry.Exception, Is.InstanceOf<JetstreamHandshakeException>());
        Assert.That(entry.Description, Does.StartWith("Jetstream stream ended: "));
        Assert.That(host.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Id.Id), Does.Contain(1071), "StreamFailed");
    }

    [Test]
    public async Task CheckHealth_RequestRejectedWithStopHostOnFailureOff_HostGoesOnAndReportsUnhealthy(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Faults = new FaultPlan().Next(s => s.RejectUpgrade(400, "bad request")) }, token);
        using var host = Host(server, s => s["Jetstream:StopHostOnFailure"] = "false");
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        await host.StartAsync(token);
        await HostedServiceTests.WaitUntilAsync(() => host.Services.GetFakeLogCollector().GetSnapshot().Any(r => r.Id.Id == 1071), token);
        var entry = await CheckAsync(host, token);

        Assert.That(lifetime.ApplicationStopping.IsCancellationRequested, Is.False);
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(entry.Exception, Is.InstanceOf<JetstreamHandshakeException>());
        await host.StopAsync(token);
    }

    [Test]
    public async Task CheckHealth_EventsOlderThanTheThreshold_DegradedNamingTheLag(CancellationToken token)
    {
        // The host's clock runs 2 minutes ahead of the server's stamps: every event arrives 2 minutes late.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2));
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromGenerator(TestHosts.Post, 3) }, token);
        using var host = Host(server, s => s["Jetstream:HealthLagThreshold"] = "00:01:00", s => s.AddSingleton<TimeProvider>(clock));

        await host.StartAsync(token);
        await host.Services.GetRequiredService<FastRecorder>().WaitForAsync(3, token);
        var entry = await CheckAsync(host, token);
        await host.StopAsync(token);

        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That((double)entry.Data["lagSeconds"], Is.InRange(100, 140));
        Assert.That(entry.Description, Does.Match(@"^Connected to Jetstream at .*, but (stream|handler FastHandler) lags 1\d\d(\.\d+)? s behind \(threshold 60 s\)$"));
    }

    [Test]
    public async Task CheckHealth_Monitor_StatesInVirtualTime()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection().AddTestHandlerServices().AddSingleton<TimeProvider>(clock);
        services.AddJetstream(o => o.HealthLagThreshold = TimeSpan.FromSeconds(5)).AddHandler<FastHandler>();
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<ConnectionMonitor>();
        var check = new JetstreamHealthCheck(monitor, provider.GetRequiredService<JetstreamHostedService>());
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("jetstream", check, HealthStatus.Unhealthy, null) };
        var eventAt = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

        monitor.Starting();
        var connecting = await check.CheckHealthAsync(context);
        monitor.Connected("wss://host.example/subscribe");
        monitor.Received(new IdentityEvent("did:plc:q6gjnaw2blty4crticxkmujt", eventAt, 1, clock.GetUtcNow(), null));
        clock.Advance(TimeSpan.FromSeconds(1));
        var healthy = await check.CheckHealthAsync(context);
        monitor.ConnectionLost("wss://host.example/subscribe", "the server closed the connection (1006)");
        monitor.Reconnecting(3);
        var reconnecting = await check.CheckHealthAsync(context);
        clock.Advance(TimeSpan.FromSeconds(30));
        monitor.Received(new IdentityEvent("did:plc:q6gjnaw2blty4crticxkmujt", eventAt + 1, 2, clock.GetUtcNow(), null));
        var lagging = await check.CheckHealthAsync(context);

        Assert.That(connecting.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(connecting.Description, Is.EqualTo("Connecting to Jetstream"));
        Assert.That(healthy.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(healthy.Data["lagSeconds"], Is.EqualTo(0.0), "the lag is measured at arrival");
        Assert.That(reconnecting.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(reconnecting.Description, Is.EqualTo("Reconnecting to Jetstream at wss://host.example/subscribe (retry 3); last error: the server closed the connection (1006)"));
        Assert.That(reconnecting.Data["attempt"], Is.EqualTo(3));
        Assert.That(lagging.Status, Is.EqualTo(HealthStatus.Degraded), "an event proves the connection is back, but it is 31 s late");
        Assert.That(lagging.Description, Is.EqualTo("Connected to Jetstream at wss://host.example/subscribe, but stream lags 31 s behind (threshold 5 s)"));
        Assert.That(lagging.Data["lastError"], Is.EqualTo("the server closed the connection (1006)"));
    }
}
