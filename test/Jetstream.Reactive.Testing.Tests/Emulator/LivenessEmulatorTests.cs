using System.Diagnostics;
using System.Net.WebSockets;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>The emulator's models of the real servers' liveness behaviour: pings, pongs, dark peers, silent scans, hostile cursors, seq resets.</summary>
[CancelAfter(30_000)]
public sealed class LivenessEmulatorTests
{
    private const string V2Path = "/xrpc/network.bsky.jetstream.subscribeEvents";

    /// <summary>Unlike <see cref="EmulatorTest.StartAsync"/>, keeps the server's pings as configured.</summary>
    private static Task<JetstreamTestServer> StartWithPingsAsync(JetstreamTestServerOptions options, CancellationToken token) =>
        JetstreamTestServer.StartAsync(options, token).WaitAsync(WireClient.Deadline, token);

    [TestCase(ServerFlavor.Current)]
    [TestCase(ServerFlavor.Legacy)]
    public async Task PingInterval_Short_ServerSendsAPingFrameOnAQuietConnection(ServerFlavor flavor, CancellationToken token)
    {
        await using var server = await StartWithPingsAsync(new() { Flavor = flavor, PingInterval = TimeSpan.FromMilliseconds(100), PongTimeout = TimeSpan.FromSeconds(10) }, token);
        await using var raw = await RawWebSocket.ConnectAsync(server.Uri, "/subscribe", token);

        var frame = await raw.ReadFrameAsync(token);

        // A real ping (both servers send pings; the runtime would otherwise send unsolicited pongs), with the payload
        // the pong must echo.
        Assert.That(frame, Is.Not.Null);
        Assert.That(frame!.Opcode, Is.EqualTo(0x9));
        Assert.That(frame.Payload, Has.Length.EqualTo(8));
    }

    [Test]
    public async Task PongTimeout_ClientNeverAnswers_CurrentServerDropsTheConnection(CancellationToken token)
    {
        await using var server = await StartWithPingsAsync(new() { PingInterval = TimeSpan.FromMilliseconds(100), PongTimeout = TimeSpan.FromMilliseconds(300) }, token);
        await using var raw = await RawWebSocket.ConnectAsync(server.Uri, "/subscribe", token);

        // This client reads but never answers the ping: the newer server gives up on it and ends TCP.
        Assert.That((await raw.ReadFrameAsync(token))!.Opcode, Is.EqualTo(0x9));
        Assert.That(await raw.ReadFrameAsync(token), Is.Null);
        await server.Connections.Single().Ended.WaitAsync(WireClient.Deadline, token);
    }

    [Test]
    public async Task ClientPings_OpenConnection_AreAnswered(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { PingInterval = Timeout.InfiniteTimeSpan }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token, o =>
        {
            o.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
            o.KeepAliveTimeout = TimeSpan.FromMilliseconds(400);
        });

        // Two seconds of no data: only the server's pongs keep the client's keep-alive from aborting.
        await client.AssertQuietAsync(TimeSpan.FromSeconds(2), token);
        Assert.That(client.Socket.State, Is.EqualTo(WebSocketState.Open));
    }

    [Test]
    public async Task GoDarkAfter_K_SendsKEventsThenNothingAndLeavesClientPingsUnanswered(CancellationToken token)
    {
        await using var server = await StartWithPingsAsync(new()
        {
            Events = JetstreamEventSource.BundledRealEvents,
            PingInterval = TimeSpan.FromMilliseconds(100),
            Faults = new FaultPlan().Next(s => s.GoDarkAfter(3)),
        }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token, o =>
        {
            o.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
            o.KeepAliveTimeout = TimeSpan.FromMilliseconds(400);
        });

        var data = await client.ReceiveDataAsync(3, token);
        Assert.That(async () => await client.ReceiveAsync(token), Throws.Exception);

        Assert.That(data, Has.Count.EqualTo(3));
        Assert.That(client.Socket.State, Is.EqualTo(WebSocketState.Aborted), "the client's keep-alive, not a close from the server, ended it");
        var connection = server.Connections.Single();
        Assert.That(connection.EndReason, Is.EqualTo("went dark after 3 events"));
        Assert.That(connection.ServerCloseStatus, Is.Null);
    }

    [Test]
    public async Task GoDark_RawClient_NoFrameAndNoCloseWhileTcpStaysOpen(CancellationToken token)
    {
        await using var server = await StartWithPingsAsync(new()
        {
            PingInterval = TimeSpan.FromMilliseconds(50),
            PongTimeout = TimeSpan.FromMilliseconds(100),
            Faults = new FaultPlan().Next(s => s.GoDarkAfter(0)),
        }, token);
        await using var raw = await RawWebSocket.ConnectAsync(server.Uri, "/subscribe", token);

        // Not even the server's own pong timeout closes TCP: a dark peer just goes quiet.
        var read = raw.ReadFrameAsync(token);
        var first = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(1), token));
        Assert.That(first, Is.Not.SameAs(read), "nothing at all arrives: no ping, no close, no end of stream");
    }

    [Test]
    public async Task ReplayScanRate_FilteredResume_SilentForTheScanThenTheMatch(CancellationToken token)
    {
        var events = Enumerable.Range(0, 3_000).Select(i => TestEvents.Like(rkey: $"o{i}", did: "did:plc:oooooooooooooooooooooooo"))
            .Append(TestEvents.Like(rkey: "mine", did: "did:plc:wwwwwwwwwwwwwwwwwwwwwwww")).ToArray();
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(events), ReplayScanRate = 3_000 }, token);

        var clock = Stopwatch.StartNew();
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?cursor=1&wantedDids=did:plc:wwwwwwwwwwwwwwwwwwwwwwww", token);
        var first = await client.ReceiveDataAsync(token);

        Assert.That(first.Json["commit"]!["rkey"]!.GetValue<string>(), Is.EqualTo("mine"));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(800)), "3,000 skipped events at 3,000/s take about a second");
    }

    [TestCase(ServerFlavor.Legacy, false, long.MaxValue)]
    [TestCase(ServerFlavor.Legacy, false, -5L)]
    [TestCase(ServerFlavor.Current, false, long.MaxValue)]
    [TestCase(ServerFlavor.Current, true, 999_999_999_999_999L)]
    public async Task HostileCursorAfter_K_SendsAWellFormedEventWithThatCursorThenGoesOn(ServerFlavor flavor, bool v2, long value, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new()
        {
            Flavor = flavor,
            Events = JetstreamEventSource.BundledRealEvents,
            Faults = new FaultPlan().Next(s => s.HostileCursorAfter(2, value)),
        }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, v2 ? V2Path : "/subscribe", token);

        var data = await client.ReceiveDataAsync(4, token);

        var hostile = data[2].Json;
        if (v2)
        {
            Assert.That(hostile["payload"]!["seq"]!.GetValue<long>(), Is.EqualTo(value));
            Assert.That(data[3].Json["payload"]!["seq"]!.GetValue<long>(), Is.EqualTo(3));
        }
        else
        {
            Assert.That(hostile["time_us"]!.GetValue<long>(), Is.EqualTo(value));
            Assert.That(hostile["commit"]!["rkey"]!.GetValue<string>(), Is.EqualTo("3hostilecursor"));
            Assert.That(data[3].Json["time_us"]!.GetValue<long>(), Is.GreaterThan(data[1].Json["time_us"]!.GetValue<long>()));
        }
    }

    [Test]
    public async Task ResetSequenceAfter_K_EndsTheConnectionAndNumbersFromOneAgain(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Faults = new FaultPlan().Next(s => s.ResetSequenceAfter(5)) }, token);
        server.Publish(Enumerable.Range(0, 5).Select(i => TestEvents.Like(rkey: $"a{i}")).ToArray());
        await using (var first = await WireClient.ConnectAsync(server.Uri, V2Path, token))
        {
            var (data, _) = await first.ReceiveUntilDroppedAsync(token);
            Assert.That(data, Has.Count.EqualTo(5));
        }

        Assert.That(server.NextSeq, Is.EqualTo(1));
        await using var second = await WireClient.ConnectAsync(server.Uri, V2Path + "?cursor=5", token);
        await EmulatorTest.WaitUntilAsync(() => server.Connections.Count == 2, "the second connection", token);
        server.Publish(TestEvents.Like(rkey: "b0"));
        var next = await second.ReceiveDataAsync(token);

        Assert.That(next.Json["payload"]!["seq"]!.GetValue<long>(), Is.EqualTo(1), "a cursor above the new numbering means the live tail");
        Assert.That(server.Connections[0].EndReason, Is.EqualTo("sequence reset after 5 events"));
    }
}
