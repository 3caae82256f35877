using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>v1 <c>requireHello</c> and <c>options_update</c> on the wire (PROTOCOL §2.4), per server flavor.</summary>
[CancelAfter(30_000)]
public sealed class JetstreamTestServerOptionsUpdateTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private static string Update(string payload) => $$"""{"type":"options_update","payload":{{payload}}}""";

    [TestCase(ServerFlavor.Current)]
    [TestCase(ServerFlavor.Legacy)]
    public async Task RequireHello_NothingUntilAValidUpdate_ThenTheUpdatesFilters(ServerFlavor flavor, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), Flavor = flavor }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?requireHello=true", token);

        await client.AssertQuietAsync(Quiet, token);
        await client.SendTextAsync("""{"type":"something_new","payload":{}}""", token);
        await client.AssertQuietAsync(Quiet, token);
        await client.SendTextAsync(Update("""{"wantedCollections":["app.bsky.feed.post"]}"""), token);
        server.Publish(FilterFixture.Marker);
        var names = await FilterFixture.ReceiveUntilMarkerAsync(client, token);

        Assert.That(names, Is.EqualTo(new[] { "a", "e", "f", "marker" }));
        Assert.That(server.Connections.Single().ClientMessages, Has.Count.EqualTo(2));
        Assert.That(server.Connections.Single().EndReason, Is.Null, "an unknown type leaves the connection open");
    }

    [TestCase("requireHello=True")]
    [TestCase("requireHello=1")]
    public async Task RequireHello_NotExactlyTrue_IsIgnored(string query, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?" + query, token);

        var frames = await client.ReceiveDataAsync(8, token);

        Assert.That(frames, Has.Count.EqualTo(8));
    }

    [Test]
    public async Task OptionsUpdate_OnARunningConnection_ReplacesEveryFilter(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?wantedCollections=app.bsky.feed.post", token);
        server.Publish(FilterFixture.Marker);
        var before = await FilterFixture.ReceiveUntilMarkerAsync(client, token);

        // Messages are handled in order, so once the second is recorded the update is in force.
        await client.SendTextAsync(Update($$"""{"wantedDids":["{{FilterFixture.DidA}}"]}"""), token);
        await client.SendTextAsync("""{"type":"sync_point"}""", token);
        var connection = server.Connections.Single();
        await EmulatorTest.WaitUntilAsync(() => connection.ClientMessages.Count == 2, "both messages are read", token);
        server.Publish([.. FilterFixture.Events, FilterFixture.Marker]);
        var after = await FilterFixture.ReceiveUntilMarkerAsync(client, token);

        Assert.That(before, Is.EqualTo(new[] { "a", "e", "f", "marker" }));
        Assert.That(after, Is.EqualTo(new[] { "a", "c", "e", "g", "marker" }), "the DID filter applies and the collection filter is gone");
    }

    [Test]
    public async Task OptionsUpdate_MaxMessageSizeOnCurrent_IsHonoured(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(TestEvents.Post(new string('x', 2_000), rkey: "big"), FilterFixture.Events[4]) }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?requireHello=true", token);

        await client.SendTextAsync(Update("""{"maxMessageSizeBytes":1000}"""), token);
        server.Publish(FilterFixture.Marker);
        var names = await FilterFixture.ReceiveUntilMarkerAsync(client, token);

        Assert.That(names, Is.EqualTo(new[] { "e", "marker" }));
    }

    [TestCase(ServerFlavor.Current, "not json", WebSocketCloseStatus.InvalidPayloadData, "bad SubscriberSourcedMessage envelope")]
    [TestCase(ServerFlavor.Legacy, "not json", WebSocketCloseStatus.NormalClosure, "failed to unmarshal subscriber sourced message: ")]
    [TestCase(ServerFlavor.Current, """{"type":"options_update","payload":{"wantedDids":"did:plc:x"}}""", WebSocketCloseStatus.InvalidPayloadData, "bad options_update payload")]
    [TestCase(ServerFlavor.Current, """{"type":"options_update","payload":{"maxMessageSizeBytes":"big"}}""", WebSocketCloseStatus.InvalidPayloadData, "bad options_update payload")]
    [TestCase(ServerFlavor.Legacy, """{"type":"options_update","payload":{"wantedCollections":[1]}}""", WebSocketCloseStatus.NormalClosure, "failed to unmarshal subscriber options update: ")]
    [TestCase(ServerFlavor.Current, """{"type":"options_update","payload":{"wantedDids":["nope"]}}""", WebSocketCloseStatus.PolicyViolation, "invalid DID \"nope\"")]
    [TestCase(ServerFlavor.Legacy, """{"type":"options_update","payload":{"wantedDids":["nope"]}}""", WebSocketCloseStatus.NormalClosure, "failed to parse subscriber options: invalid subscriber options")]
    [TestCase(ServerFlavor.Current, """{"type":"options_update","payload":{"wantedCollections":["app.bsky.feed.po*"]}}""", WebSocketCloseStatus.PolicyViolation, "invalid collection \"app.bsky.feed.po*\"")]
    public async Task OptionsUpdate_Invalid_ClosesWithTheFlavorsCodeAndReason(ServerFlavor flavor, string message, WebSocketCloseStatus status, string reason, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Flavor = flavor }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?requireHello=true", token);

        await client.SendTextAsync(message, token);
        var close = await client.ReceiveAsync(token);

        Assert.That(close.Type, Is.EqualTo(WebSocketMessageType.Close));
        Assert.That(close.CloseStatus, Is.EqualTo(status));
        Assert.That(close.CloseReason, reason.EndsWith(": ", StringComparison.Ordinal) ? Does.StartWith(reason) : Is.EqualTo(reason));
        var connection = server.Connections.Single();
        await connection.Ended.WaitAsync(WireClient.Deadline, token);
        Assert.That(connection.ServerCloseStatus, Is.EqualTo(status));
        Assert.That(connection.ClientMessages, Is.EqualTo(new[] { message }));
    }

    [TestCase(ServerFlavor.Current, WebSocketCloseStatus.PolicyViolation, "too many wanted collections (at most 100)")]
    [TestCase(ServerFlavor.Legacy, WebSocketCloseStatus.NormalClosure, "failed to parse subscriber options: invalid subscriber options: too many wanted collections")]
    public async Task OptionsUpdate_TooManyCollections_Closes(ServerFlavor flavor, WebSocketCloseStatus status, string reason, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Flavor = flavor }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        var collections = new JsonArray(Enumerable.Range(0, 101).Select(i => (JsonNode)$"app.test.c{i}").ToArray());

        await client.SendTextAsync(Update(new JsonObject { ["wantedCollections"] = collections }.ToJsonString()), token);
        var close = await client.ReceiveAsync(token);

        Assert.That(close.CloseStatus, Is.EqualTo(status));
        Assert.That(close.CloseReason, Is.EqualTo(reason));
    }

    [Test]
    public async Task OptionsUpdate_TooManyDidsOnCurrent_Closes1008(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        var dids = new JsonArray(Enumerable.Range(0, 10_001).Select(i => (JsonNode)$"did:plc:test{i}").ToArray());

        await client.SendTextAsync(Update(new JsonObject { ["wantedDids"] = dids }.ToJsonString()), token);
        var close = await client.ReceiveAsync(token);

        Assert.That(close.CloseStatus, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(close.CloseReason, Is.EqualTo("too many wanted DIDs (at most 10000)"));
    }

    [Test]
    public async Task OptionsUpdate_LongReasonOnCurrent_IsCutTo123BytesOnACharacterBoundary(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        var collection = "app." + new string('é', 100);

        await client.SendTextAsync(Update(new JsonObject { ["wantedCollections"] = new JsonArray(collection) }.ToJsonString()), token);
        var close = await client.ReceiveAsync(token);

        Assert.That(close.CloseStatus, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(Encoding.UTF8.GetByteCount(close.CloseReason!), Is.InRange(122, 123));
        Assert.That($"invalid collection \"{collection}\"", Does.StartWith(close.CloseReason!));
    }

    [Test]
    public async Task OptionsUpdate_ReasonOver123BytesOnLegacy_DropsWithoutACloseFrame(CancellationToken token)
    {
        // gorilla cannot send a close reason over 123 bytes, so the legacy server's close just ends the socket (PROTOCOL §2.4).
        await using var server = await EmulatorTest.StartAsync(new() { Flavor = ServerFlavor.Legacy }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        await client.SendTextAsync(Update("""{"wantedCollections":["this.collection.name.is.long.enough.to.push.the.reason.past.the.limit.fo*"]}"""), token);
        var (data, error) = await client.ReceiveUntilDroppedAsync(token);

        Assert.That(data, Is.Empty);
        Assert.That(error.WebSocketErrorCode, Is.EqualTo(WebSocketError.ConnectionClosedPrematurely));
        var connection = server.Connections.Single();
        await connection.Ended.WaitAsync(WireClient.Deadline, token);
        Assert.That(connection.ServerCloseStatus, Is.Null);
    }

    [TestCase(ServerFlavor.Current)]
    [TestCase(ServerFlavor.Legacy)]
    public async Task OptionsUpdate_BinaryFrame_IsIgnored(ServerFlavor flavor, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), Flavor = flavor }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?requireHello=true", token);

        await client.Socket.SendAsync(Encoding.UTF8.GetBytes(Update("{}")), WebSocketMessageType.Binary, true, token);
        await client.AssertQuietAsync(Quiet, token);
        await client.SendTextAsync(Update("{}"), token);
        var frames = await client.ReceiveDataAsync(8, token);

        Assert.That(frames, Has.Count.EqualTo(8), "the empty update lets everything through");
        Assert.That(server.Connections.Single().ClientMessages, Has.Count.EqualTo(1), "binary messages are not recorded as text");
    }
}
