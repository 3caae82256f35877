using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.IntegrationTests.RawServer;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests;

/// <summary>Failover over real sockets: one loopback server goes bad, the stream moves to the other without duplicates.</summary>
[CancelAfter(60_000)]
public sealed class FailoverRealSocketTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Failover_FirstServerStartsRefusing_MovesToTheSecondWithARewoundCursorAndNoDuplicates(CancellationToken token)
    {
        const long T = Events.RealTimeUs;
        var firstConnections = 0;
        await using var first = new ScriptedServer(async (c, ct) =>
        {
            if (Interlocked.Increment(ref firstConnections) > 1)
            {
                await c.RejectAsync(503, "Service Unavailable", "service not ready: bootstrap in progress", ct);
                return;
            }

            var socket = await c.AcceptAsync(ct);
            await c.SendTextAsync(Events.Like(T, "a"), ct);
            await c.SendTextAsync(Events.Like(T + 1_000, "b"), ct);

            // A close frame comes after the events on the wire, so the client has read both when it sees it.
            await socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, "server shutting down", ct);
            await c.WaitForClientGoneAsync(ct);
        });
        await using var second = new ScriptedServer(async (c, ct) =>
        {
            await c.AcceptAsync(ct);

            // Its own clock: the same events a little later, then a new one.
            await c.SendTextAsync(Events.Like(T + 500, "a"), ct);
            await c.SendTextAsync(Events.Like(T + 1_500, "b"), ct);
            await c.SendTextAsync(Events.Like(T + 2_500, "c"), ct);
            await c.WaitForClientGoneAsync(ct);
        });
        var options = new JetstreamOptions
        {
            Endpoints = [first.Uri, second.Uri],
            FailoverAfterAttempts = 2,
            FailoverRewind = TimeSpan.FromSeconds(5),
            Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
            IdleTimeout = TimeSpan.FromSeconds(20),
        };

        var events = await JetstreamObservable.Connect(options).Take(3).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(events.Select(e => ((CommitEvent)e).Commit.RKey), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(first.Connections, Has.Count.EqualTo(3), "one that worked, then two refused in a row");
        Assert.That(second.Connections.Single().Cursor, Is.EqualTo(T + 1_000 - 5_000_000));
    }
}
