using System.Collections.Concurrent;
using Jetstream.Reactive.Hosting;
using Jetstream.Reactive.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NUnit.Framework;
using static Jetstream.Reactive.Nats.Tests.Scenario;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>The hosting package's handlers fed from a durable NATS consumer (UseNats), against a real nats-server.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class HostedTests
{
    [Test]
    public async Task UseNats_HandlersFromNats_AckedAfterSuccessFailedOnesNakedAndHandledOnRedelivery(CancellationToken token)
    {
        const int Count = 300;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events(0, Count)) }, token);
        await using var relay = StartRelay(nats.Url, RelayOptions(emulator.Uri, "HOSTED"));
        await using var connection = Connect(nats.Url);
        await WaitUntilAsync(async () => await MessagesAsync(connection, "HOSTED", token) >= Count, "the stream filled", token);

        // Every 10th event fails on its first delivery; a second handler always succeeds.
        var handled = new HandledLog { FailFirstOf = e => NumberOf(e) % 10 == 0 };
        var other = new OtherLog();
        using var host = BuildHost(
            connection,
            ConsumerOptions("HOSTED", "hosted") with { NakDelay = TimeSpan.FromMilliseconds(50) },
            handled,
            other);
        await host.StartAsync(token);

        var expected = ExpectedIds(0, Count);
        await WaitUntilAsync(() => expected.All(handled.Succeeded.ContainsKey), "every event handled", token, () => $"handled {handled.Succeeded.Count} of {Count}");
        await WaitUntilAsync(async () => await ConsumerAsync(connection, "HOSTED", "hosted", token) is { NumAckPending: 0, NumPending: 0 }, "every message acknowledged", token);
        var health = await CheckAsync(host, token);
        await host.StopAsync(token);

        var failing = expected.Count(id => handled.Failures.ContainsKey(id));
        Assert.Multiple(() =>
        {
            Assert.That(failing, Is.EqualTo(Count / 10), "each 10th event failed once");
            Assert.That(handled.Failures.Values.All(n => n == 1), Is.True);
            Assert.That(handled.Succeeded.Where(p => !handled.Failures.ContainsKey(p.Key)).All(p => p.Value == 1), Is.True, "an acknowledged event is not delivered again");
            Assert.That(other.Seen.Where(p => handled.Failures.ContainsKey(p.Key)).All(p => p.Value == 2), Is.True, "a nak'ed event goes to every handler again");
            Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy), health.Description);
            Assert.That(health.Data["source.pending"], Is.EqualTo(0UL));
            Assert.That(health.Data["source.ackPending"], Is.EqualTo(0L));
            Assert.That(health.Data["state"], Is.EqualTo("Connected"));
            Assert.That((string)health.Data["source"], Does.StartWith("NATS consumer hosted on stream HOSTED at nats://127.0.0.1:"));
        });
    }

    [Test]
    public async Task UseNats_BacklogThenHostStoppedThenNatsDown_DegradedNakedForOthersThenUnhealthy(CancellationToken token)
    {
        const int Count = 200;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events(0, Count)) }, token);
        await using (var relay = StartRelay(nats.Url, RelayOptions(emulator.Uri, "BACKLOG")))
        {
            await using var check = Connect(nats.Url);
            await WaitUntilAsync(async () => await MessagesAsync(check, "BACKLOG", token) >= Count, "the stream filled", token);
        }

        // A handler that never finishes: the consumer holds 10 messages and the rest wait in the stream (the backlog).
        // AckWait is long, so within the test only a nak brings a message back.
        // NakDelay outlasts the stop (writes slowed to 1 s below), so no nak'ed message comes back to the stopping host.
        var options = ConsumerOptions("BACKLOG", "hosted") with { LoggerFactory = TestLog.Factory, MaxAckPending = 10, AckWait = TimeSpan.FromMinutes(5), NakDelay = TimeSpan.FromSeconds(10), HealthPendingThreshold = 100, HealthDisconnectedThreshold = TimeSpan.FromSeconds(30) };
        var time = new FakeTimeProvider();
        await using var proxy = new LatencyProxy(nats.Port);
        var hostConnection = Connect(proxy.Url);
        await using (hostConnection)
        {
            var stuck = new HandledLog { Block = true };
            using var host = BuildHost(hostConnection, options, stuck, new OtherLog(), time, shutdownTimeout: TimeSpan.Zero);
            await host.StartAsync(token);
            await WaitUntilAsync(() => stuck.Started >= 1, "the handler started", token);
            await WaitUntilAsync(async () => await ConsumerAsync(hostConnection, "BACKLOG", "hosted", token) is { NumAckPending: 10 }, "the consumer holds its 10", token);

            // The 10 the consumer holds reach the host one by one: wait until the stuck handler has all 10 (1 running, 9
            // queued), so the stop below answers what the handlers held (the next test covers messages still inside
            // the NATS client).
            await WaitUntilAsync(async () => (await CheckAsync(host, token)).Data.Any(kv => kv.Key.StartsWith("handler.", StringComparison.Ordinal) && kv.Key.EndsWith(".pending", StringComparison.Ordinal) && kv.Value is int p && p >= 10), "the stuck handler holds all 10", token);
            var lagging = await CheckAsync(host, token);

            // Stopping cancels the stuck handler: what the host held is nak'ed, and another worker gets all of it now
            // (AckWait is 5 minutes: only the naks bring those 10 back within the test). The host's process ends, and with
            // it its connection, at once: its writes now take 1 s to reach nats-server and the close drops what is still
            // on the way, so the naks count only if they arrived before StopAsync returned. That is within NakDelay: until
            // then nats-server 2.9 may hand a nak'ed message to the stopped worker's pull request, which stays open on
            // that connection.
            proxy.Latency = TimeSpan.FromSeconds(1);
            await host.StopAsync(token);
            await hostConnection.DisposeAsync();
            var survivor = new Recorder();
            await using var survivorConnection = Connect(nats.Url);
            using (JetstreamNats.Consume(survivorConnection, options).SubscribeAsync((e, _) => { survivor.Record("survivor", e); return Task.CompletedTask; }))
            {
                var expected = ExpectedIds(0, Count);
                await WaitUntilAsync(() => expected.All(survivor.Handled.ContainsKey), "every event handled by the other worker", token, () => $"handled {survivor.Handled.Count} of {Count}; missing {string.Join(",", expected.Where(id => !survivor.Handled.ContainsKey(id)))}; consumer {System.Text.Json.JsonSerializer.Serialize(ConsumerAsync(survivorConnection, "BACKLOG", "hosted", CancellationToken.None).GetAwaiter().GetResult())}");
            }

            Assert.Multiple(() =>
            {
                Assert.That(lagging.Status, Is.EqualTo(HealthStatus.Degraded), lagging.Description);
                Assert.That(lagging.Description, Does.Contain("NATS consumer hosted lags: 190 messages not yet delivered (threshold 100)"));
                Assert.That(lagging.Data["source.pending"], Is.EqualTo(190UL));
            });
        }

        // NATS goes away under a running host: Degraded while it may come back, Unhealthy past the threshold.
        var downConnection = new NatsConnection(new NatsOpts { Url = nats.Url, ConnectTimeout = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(2) });
        await using (downConnection)
        {
            using var host = BuildHost(downConnection, options with { ConsumerName = "second" }, new HandledLog(), new OtherLog(), time);
            await host.StartAsync(token);
            await WaitUntilAsync(async () => (await CheckAsync(host, token)).Status == HealthStatus.Healthy, "healthy while NATS runs", token);
            nats.Kill();
            await WaitUntilAsync(() => downConnection.ConnectionState != NatsConnectionState.Open, "the host's connection lost", token);

            // The source learns of the loss from the connection's event, a moment after the state flips: wait for it.
            await WaitUntilAsync(async () => (await CheckAsync(host, token)).Data.TryGetValue("state", out var state) && Equals(state, "Reconnecting"), "the host reports the connection lost", token);
            var down = await CheckAsync(host, token);
            time.Advance(TimeSpan.FromSeconds(31));
            var longDown = await CheckAsync(host, token);
            await host.StopAsync(token);

            Assert.Multiple(() =>
            {
                Assert.That(down.Status, Is.EqualTo(HealthStatus.Degraded), down.Description);
                Assert.That(down.Data["state"], Is.EqualTo("Reconnecting"));
                Assert.That(longDown.Status, Is.EqualTo(HealthStatus.Unhealthy), longDown.Description);
                Assert.That(longDown.Description, Does.Contain("The NATS connection to nats://127.0.0.1:").And.Contain("Unhealthy after 30 s"));
            });
        }
    }

    [Test]
    public async Task UseNats_HostStoppedThenConnectionClosedAtOnce_NaksReachedTheServerBeforeStopReturned(CancellationToken token)
    {
        const int Count = 20;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events(0, Count)) }, token);
        await using (var relay = StartRelay(nats.Url, RelayOptions(emulator.Uri, "STOPNAK")))
        {
            await using var check = Connect(nats.Url);
            await WaitUntilAsync(async () => await MessagesAsync(check, "STOPNAK", token) >= Count, "the stream filled", token);
        }

        // A stuck handler: the host holds 10 messages (running, queued, or still inside the NATS client). AckWait is 5
        // minutes, so within the test only a nak brings them back; NakDelay outlasts the stop, so none comes back to the
        // stopping host's pull request.
        var options = ConsumerOptions("STOPNAK", "hosted") with { LoggerFactory = TestLog.Factory, MaxAckPending = 10, AckWait = TimeSpan.FromMinutes(5), NakDelay = TimeSpan.FromSeconds(10) };
        await using var proxy = new LatencyProxy(nats.Port);
        var hostConnection = Connect(proxy.Url);
        await using (hostConnection)
        {
            var stuck = new HandledLog { Block = true };
            using var host = BuildHost(hostConnection, options, stuck, new OtherLog(), shutdownTimeout: TimeSpan.Zero);
            await host.StartAsync(token);
            await WaitUntilAsync(() => stuck.Started >= 1, "the handler started", token);
            await WaitUntilAsync(async () => await ConsumerAsync(hostConnection, "STOPNAK", "hosted", token) is { NumAckPending: 10 }, "the consumer holds its 10", token);

            // From now on the host's writes take a second to reach nats-server, and closing its connection drops what is
            // still on the way: only naks that arrived before StopAsync returned count.
            proxy.Latency = TimeSpan.FromSeconds(1);
            await host.StopAsync(token);
            await hostConnection.DisposeAsync();
        }

        var survivor = new Recorder();
        await using var survivorConnection = Connect(nats.Url);
        using (JetstreamNats.Consume(survivorConnection, options).SubscribeAsync((e, _) => { survivor.Record("survivor", e); return Task.CompletedTask; }))
        {
            // Well within AckWait: only the naks bring the 10 back this soon.
            var expected = ExpectedIds(0, Count);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!expected.All(survivor.Handled.ContainsKey) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, token);
            }

            var consumer = await ConsumerAsync(survivorConnection, "STOPNAK", "hosted", token);
            Assert.That(
                expected.Where(id => !survivor.Handled.ContainsKey(id)),
                Is.Empty,
                $"every event handled by another worker within 30 s (AckWait is 5 min); consumer {System.Text.Json.JsonSerializer.Serialize(consumer)}");
        }
    }

    private static IHost BuildHost(INatsConnection connection, JetstreamNatsConsumerOptions options, HandledLog handled, OtherLog other, TimeProvider? time = null, TimeSpan? shutdownTimeout = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Services.AddSingleton(handled);
        builder.Services.AddSingleton(other);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddJetstream(o =>
            {
                o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(10);
                o.StopHostOnFailure = false;
            })
            .AddHandler<LoggingHandler>()
            .AddHandler<OtherHandler>()
            .UseNats(options, _ => connection);
        builder.Services.AddHealthChecks().AddJetstream();
        return builder.Build();
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host, CancellationToken token) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(token)).Entries[JetstreamHosting.HealthCheckName];

    private static async Task<NATS.Client.JetStream.Models.ConsumerInfo?> ConsumerAsync(INatsConnection connection, string stream, string consumer, CancellationToken token)
    {
        try
        {
            return (await new NatsJSContext(connection).GetConsumerAsync(stream, consumer, token)).Info;
        }
        catch (NatsJSApiException)
        {
            return null;
        }
    }

    /// <summary>What <see cref="LoggingHandler"/> did, per message id.</summary>
    internal sealed class HandledLog
    {
        private int _started;

        public Func<JetstreamEvent, bool> FailFirstOf { get; init; } = _ => false;

        public bool Block { get; init; }

        public ConcurrentDictionary<string, int> Succeeded { get; } = new();

        public ConcurrentDictionary<string, int> Failures { get; } = new();

        public int Started => Volatile.Read(ref _started);

        public async Task HandleAsync(JetstreamEvent e, CancellationToken token)
        {
            Interlocked.Increment(ref _started);
            if (Block)
            {
                await Task.Delay(Timeout.Infinite, token);
            }

            var id = JetstreamNatsSubjects.MessageIdOf(e);
            if (FailFirstOf(e) && Failures.TryAdd(id, 1))
            {
                throw new InvalidOperationException("first delivery fails");
            }

            Succeeded.AddOrUpdate(id, 1, (_, n) => n + 1);
        }
    }

    /// <summary>What <see cref="OtherHandler"/> saw, per message id.</summary>
    internal sealed class OtherLog
    {
        public ConcurrentDictionary<string, int> Seen { get; } = new();
    }

    internal sealed class LoggingHandler(HandledLog log) : IJetstreamHandler
    {
        public Task HandleAsync(JetstreamEvent jetstreamEvent, CancellationToken cancellationToken) => log.HandleAsync(jetstreamEvent, cancellationToken);
    }

    internal sealed class OtherHandler(OtherLog log) : IJetstreamHandler
    {
        public Task HandleAsync(JetstreamEvent jetstreamEvent, CancellationToken cancellationToken)
        {
            log.Seen.AddOrUpdate(JetstreamNatsSubjects.MessageIdOf(jetstreamEvent), 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }
    }
}
