using System.Net.WebSockets;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>What the server records of each connection, for users' assertions.</summary>
[CancelAfter(30_000)]
public sealed class EmulatorConnectionTests
{
    [Test]
    public async Task Record_V1Connection_HoldsTheRequestWhatWasSentAndWhatTheClientSent(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        const string query = "wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.graph.*&cursor=2";
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?" + query, token, o => o.SetRequestHeader("X-Test", "yes"));

        var frames = await client.ReceiveDataAsync(5, token);
        await client.SendTextAsync("""{"type":"hello"}""", token);
        var connection = server.Connections.Single();
        await EmulatorTest.WaitUntilAsync(() => connection.ClientMessages.Count == 1, "the message is recorded", token);
        Assert.That(connection.Ended.IsCompleted, Is.False);
        Assert.That(connection.EndReason, Is.Null, "null while the connection runs");
        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token);
        await connection.Ended.WaitAsync(WireClient.Deadline, token);

        Assert.That(connection.Number, Is.EqualTo(1));
        Assert.That(connection.Endpoint, Is.EqualTo(EmulatorEndpoint.Subscribe));
        Assert.That(connection.Path, Is.EqualTo("/subscribe"));
        Assert.That(connection.Query, Is.EqualTo(query));
        Assert.That(connection.QueryValues.GetValues("wantedCollections"), Is.EqualTo(new[] { "app.bsky.feed.post", "app.bsky.graph.*" }));
        Assert.That(connection.RequestedCursor, Is.EqualTo(2));
        Assert.That(connection.Headers["x-test"], Is.EqualTo("yes"), "header names match case-insensitively");
        Assert.That(connection.Status, Is.EqualTo(101));
        Assert.That(connection.RejectionBody, Is.Null);
        Assert.That(connection.Compressed, Is.False);
        Assert.That(connection.DictionaryId, Is.Null);
        Assert.That(connection.SentSequence, Is.EqualTo(new long[] { 3, 4, 5, 6, 8 }), "c, d, e, f, h from the cursor on");
        Assert.That(connection.EventsSent, Is.EqualTo(5));
        Assert.That(connection.FramesSent, Is.EqualTo(5));
        Assert.That(connection.BytesSent, Is.EqualTo(frames.Sum(f => f.Bytes.Length)));
        Assert.That(connection.ClientMessages, Is.EqualTo(new[] { """{"type":"hello"}""" }));
        Assert.That(connection.EndReason, Is.EqualTo("client closed"));
        Assert.That(connection.ServerCloseStatus, Is.Null);
        Assert.That(connection.ToString(), Does.Contain("/subscribe?" + query).And.Contain("101").And.Contain("client closed"));
    }

    [Test]
    public async Task Record_V2Connection_HasItsEndpointAndNoCursor(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        await using var compressed = await WireClient.ConnectAsync(server.Uri, "/xrpc/network.bsky.jetstream.subscribeEvents?zstdDictionary=20260811", token);

        var connections = server.Connections;

        Assert.That(connections, Has.Count.EqualTo(1));
        Assert.That(connections[0].Endpoint, Is.EqualTo(EmulatorEndpoint.SubscribeEvents));
        Assert.That(connections[0].RequestedCursor, Is.Null);
        Assert.That(connections[0].DictionaryId, Is.EqualTo(20_260_811u));
    }

    [Test]
    public async Task WaitForConnectionsAsync_TooFewInTime_ThrowsTimeoutException(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        var one = await server.WaitForConnectionsAsync(1, WireClient.Deadline, token);

        Assert.That(one, Has.Count.EqualTo(1));
        Assert.That(async () => await server.WaitForConnectionsAsync(2, TimeSpan.FromMilliseconds(50), token), Throws.InstanceOf<TimeoutException>());
    }

    [Test]
    public async Task DisposeAsync_OpenConnection_EndsWithoutACloseFrameAndIsRecorded(CancellationToken token)
    {
        var server = await EmulatorTest.StartAsync(new(), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        var connection = (await server.WaitForConnectionsAsync(1, WireClient.Deadline, token)).Single();

        await server.DisposeAsync().AsTask().WaitAsync(WireClient.Deadline, token);
        var (_, error) = await client.ReceiveUntilDroppedAsync(token);

        Assert.That(error, Is.InstanceOf<WebSocketException>());
        Assert.That(connection.Ended.IsCompleted, Is.True);
        Assert.That(connection.EndReason, Is.EqualTo("server stopped"));
    }
}
