using Jetstream.Reactive.Testing;
using NATS.Client.Core;
using NUnit.Framework;
using static Jetstream.Reactive.Nats.Tests.Scenario;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>
/// A 3-node nats-server cluster with a replicated stream. It proves failover, not the relay's publish retry (the client
/// flushes in-flight publishes to a surviving node, so they are stored without one): RelayRetryTests does that.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(150_000)]
public sealed class ClusterTests
{
    [Test]
    public async Task Relay_ThreeNodeClusterLosesOneNodeMidRun_NothingLostNothingDoubled(CancellationToken token)
    {
        const int Batch = 1_000;
        var servers = await NatsServer.StartClusterAsync(3, token);
        try
        {
            var urls = string.Join(",", servers.Select(s => s.Url));
            await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions(), token);

            // The relay talks to the first node first, which is the one that dies.
            var relayConnection = new NatsConnection(new NatsOpts { Url = urls, NoRandomize = true, ConnectTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(5) });
            await using var _ = relayConnection;
            var relay = new JetstreamNatsRelay(relayConnection, RelayOptions(emulator.Uri, "CLUSTER", replicas: 3));
            using var stop = new CancellationTokenSource();
            var run = relay.RunAsync(stop.Token);

            await using var check = new NatsConnection(new NatsOpts { Url = string.Join(",", servers.Skip(1).Select(s => s.Url)), RequestTimeout = TimeSpan.FromSeconds(5) });
            emulator.Publish(Events(0, Batch));
            await WaitUntilAsync(async () => relay.Published >= Batch, "the first batch stored", token);

            emulator.Publish(Events(Batch, Batch));
            await WaitUntilAsync(() => relay.Published > Batch, "the second batch under way", token);
            servers[0].Kill();
            emulator.Publish(Events(2 * Batch, Batch));

            await WaitUntilAsync(
                async () =>
                {
                    try
                    {
                        return await MessagesAsync(check, "CLUSTER", token) >= 3 * Batch;
                    }
                    catch (NatsException)
                    {
                        return false;
                    }
                },
                "all three batches stored on the surviving nodes", token, () => $"published {relay.Published}, duplicates {relay.Duplicates}, retries {relay.Retries}");

            var ids = await ReadIdsAsync(check, "CLUSTER", token);
            Assert.Multiple(() =>
            {
                Assert.That(ids, Has.Count.EqualTo(3 * Batch));
                Assert.That(ids.ToHashSet().SetEquals(ExpectedIds(0, 3 * Batch)), Is.True, "exactly the emulator's events");
            });

            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(20), token);
        }
        finally
        {
            foreach (var s in servers)
            {
                await s.DisposeAsync();
            }
        }
    }
}
