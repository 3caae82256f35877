using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>The test helper itself: a port taken between the check and the bind is retried; a failed start leaves no process.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class NatsServerTests
{
    [Test]
    public async Task StartAsync_PortTakenBeforeTheServerBindsIt_StartsOnAnotherPortAndKillsTheFailedProcess(CancellationToken token)
    {
        NatsServer.RequireBinary();
        var before = NatsServer.Running;
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var picks = 0;

        // The first pick is a port someone else holds, as when another process binds it after the free-port check.
        await using var nats = await NatsServer.StartAsync(() => Interlocked.Increment(ref picks) == 1 ? taken : FreePort(), token);

        Assert.Multiple(() =>
        {
            Assert.That(picks, Is.EqualTo(2), "tried again on a fresh port");
            Assert.That(nats.Port, Is.Not.EqualTo(taken));
            Assert.That(nats.IsRunning, Is.True);
            Assert.That(NatsServer.Running, Is.EqualTo(before + 1), "the process that failed to bind is gone");
        });
    }

    [Test]
    public async Task StartAsync_CancelledWhileWaitingForJetStream_KillsTheProcess(CancellationToken token)
    {
        NatsServer.RequireBinary();
        var before = NatsServer.Running;
        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(token);

        // Cancelled once the process runs, inside the wait for JetStream: the wait throws, and the process must go with it.
        var start = NatsServer.StartAsync(FreePort, cancelled.Token, () => cancelled.Cancel());

        Assert.That(async () => await start, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(NatsServer.Running, Is.EqualTo(before), "no nats-server is left behind by a failed start");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
