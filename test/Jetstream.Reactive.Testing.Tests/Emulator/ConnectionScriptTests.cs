using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>Each scripted fault as the client's socket sees it.</summary>
[CancelAfter(30_000)]
public sealed class ConnectionScriptTests
{
    private const string V2Path = "/xrpc/network.bsky.jetstream.subscribeEvents";
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private static Task<JetstreamTestServer> StartAsync(Action<ConnectionScript> script, CancellationToken token, JetstreamEventSource? events = null, ServerFlavor flavor = ServerFlavor.Current) =>
        EmulatorTest.StartAsync(new() { Events = events ?? EmulatorTest.Source(FilterFixture.Events), Flavor = flavor, Faults = new FaultPlan().Next(script) }, token);

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(100)]
    public async Task DropAfter_K_SendsExactlyKEventsThenEndsWithoutACloseFrame(int k, CancellationToken token)
    {
        await using var server = await StartAsync(s => s.DropAfter(k), token, JetstreamEventSource.BundledRealEvents);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        var (data, error) = await client.ReceiveUntilDroppedAsync(token);

        Assert.That(data, Has.Count.EqualTo(k));
        Assert.That(data.Select(d => d.Json["cursor"]!.GetValue<long>()), Is.EqualTo(Enumerable.Range(1, k).Select(i => (long)i)));
        Assert.That(error.WebSocketErrorCode, Is.EqualTo(WebSocketError.ConnectionClosedPrematurely));
        var connection = server.Connections.Single();
        await connection.Ended.WaitAsync(WireClient.Deadline, token);
        Assert.That(connection.EndReason, Is.EqualTo($"dropped by fault after {k} events"));
        Assert.That(connection.EventsSent, Is.EqualTo(k));
        Assert.That(connection.ServerCloseStatus, Is.Null);
    }

    [Test]
    public async Task DropAfter_OnlyTheScriptedConnection_TheNextOneIsServed(CancellationToken token)
    {
        await using var server = await StartAsync(s => s.DropAfter(2), token);
        await using (var first = await WireClient.ConnectAsync(server.Uri, "/subscribe", token))
        {
            await first.ReceiveUntilDroppedAsync(token);
        }

        await using var second = await WireClient.ConnectAsync(server.Uri, "/subscribe?cursor=2", token);
        var frames = await second.ReceiveDataAsync(7, token);

        Assert.That(frames.Select(f => f.Json["cursor"]!.GetValue<long>()), Is.EqualTo(new long[] { 2, 3, 4, 5, 6, 7, 8 }));
    }

    [TestCase(ServerFlavor.Current)]
    [TestCase(ServerFlavor.Legacy)]
    public async Task CloseAfter_K_SendsKEventsThenTheCloseFrame(ServerFlavor flavor, CancellationToken token)
    {
        await using var server = await StartAsync(s => s.CloseAfter(2, WebSocketCloseStatus.EndpointUnavailable, "server shutting down"), token, flavor: flavor);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        var (data, close) = await client.ReceiveUntilCloseAsync(token);

        Assert.That(data, Has.Count.EqualTo(2));
        Assert.That(close.CloseStatus, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        Assert.That(close.CloseReason, Is.EqualTo("server shutting down"));
        var connection = server.Connections.Single();
        await connection.Ended.WaitAsync(WireClient.Deadline, token);
        Assert.That(connection.ServerCloseStatus, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        Assert.That(connection.EndReason, Is.EqualTo("closed by fault after 2 events"));
    }

    [Test]
    public async Task StallAfter_K_KeepsTheSocketOpenAndSendsNothingMore(CancellationToken token)
    {
        await using var server = await StartAsync(s => s.StallAfter(2), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        var data = await client.ReceiveDataAsync(2, token);
        server.Publish(FilterFixture.Marker);
        await client.AssertQuietAsync(Quiet, token);

        Assert.That(data, Has.Count.EqualTo(2));
        Assert.That(client.Socket.State, Is.EqualTo(WebSocketState.Open));
        var connection = server.Connections.Single();
        Assert.That(connection.EventsSent, Is.EqualTo(2));
        Assert.That(connection.Ended.IsCompleted, Is.False, "the connection is still open");
        Assert.That(connection.EndReason, Is.Null);

        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", token);
        await connection.Ended.WaitAsync(WireClient.Deadline, token);
        Assert.That(connection.EndReason, Is.EqualTo("client closed"));
    }

    [Test]
    public async Task StallAfter_LiveEventsPastTheOutbox_DoNotTurnTheStallIntoASlowSubscriberDrop(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { SlowSubscriberOutbox = 2, Faults = new FaultPlan().Next(s => s.StallAfter(1)) }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        server.Publish(FilterFixture.Events[0]);
        await client.ReceiveDataAsync(token);

        server.Publish(FilterFixture.Events);
        await client.AssertQuietAsync(Quiet, token);

        Assert.That(server.Connections.Single().EndReason, Is.Null, "a stalled server keeps the connection; it is not the client that is slow");
    }

    [Test]
    public async Task ErrorFrameAfter_V2_SendsTheErrorFrameThenCloses(CancellationToken token)
    {
        await using var server = await StartAsync(s => s.ErrorFrameAfter(2, "ConsumerTooSlow", "reading below the floor rate; reconnect with cursor=3"), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, V2Path, token);

        var (data, close) = await client.ReceiveUntilCloseAsync(token);

        Assert.That(data, Has.Count.EqualTo(3));
        var error = data[2].Json.AsObject();
        Assert.That(data[2].Type, Is.EqualTo(WebSocketMessageType.Text));
        Assert.That(error.Select(p => p.Key), Is.EquivalentTo(new[] { "$type", "error", "message" }));
        Assert.That(error["$type"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(error["error"]!.GetValue<string>(), Is.EqualTo("ConsumerTooSlow"));
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo("reading below the floor rate; reconnect with cursor=3"));
        Assert.That(close.Type, Is.EqualTo(WebSocketMessageType.Close));
        Assert.That(server.Connections.Single().EventsSent, Is.EqualTo(2));
    }

    [Test]
    public async Task ErrorFrameAfter_V2Compressed_TheErrorFrameIsCompressedToo(CancellationToken token)
    {
        await using var server = await StartAsync(s => s.ErrorFrameAfter(0, "InternalError", "stream read failed; reconnect"), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, V2Path + "?zstdDictionary=20260811", token);

        var (data, _) = await client.ReceiveUntilCloseAsync(token);

        Assert.That(data.Single().Type, Is.EqualTo(WebSocketMessageType.Binary));
        var error = WireClient.ParseStrict(Zstd.Decompress(data.Single().Bytes, JetstreamZstdDictionaries.BundledV2));
        Assert.That(error["error"]!.GetValue<string>(), Is.EqualTo("InternalError"));
    }

    [Test]
    public async Task ErrorFrameAfter_V1_ClosesWithoutAnErrorFrame(CancellationToken token)
    {
        await using var server = await StartAsync(s => s.ErrorFrameAfter(1, "ConsumerTooSlow", "slow"), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        var (data, close) = await client.ReceiveUntilCloseAsync(token);

        Assert.That(data, Has.Count.EqualTo(1));
        Assert.That(close.CloseStatus, Is.EqualTo(WebSocketCloseStatus.InternalServerError));
    }

    [Test]
    public async Task RejectUpgrade_V1_AnswersTheStatusAndPlainTextBody(CancellationToken token)
    {
        await using var server = await StartAsync(s => s.RejectUpgrade(429, "slow down"), token);
        using var http = new HttpClient();

        using var response = await Handshake.SendUpgradeAsync(http, server.Uri, "/subscribe", token);
        var next = await Handshake.AcceptedAsync(server.Uri, "/subscribe", token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await response.Content.ReadAsStringAsync(token), Is.EqualTo("slow down"));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        var connection = server.Connections[0];
        Assert.That(connection.Status, Is.EqualTo(429));
        Assert.That(connection.RejectionBody, Is.EqualTo("slow down"));
        Assert.That(connection.EndReason, Is.EqualTo("rejected with 429"));
        Assert.That(connection.Ended.IsCompleted, Is.True);
        Assert.That(next.State, Is.EqualTo(WebSocketState.Open), "only the scripted connection is rejected");
        next.Abort();
        next.Dispose();
    }

    [Test]
    public async Task RejectUpgrade_V2JsonBody_IsServedAsJson(CancellationToken token)
    {
        const string body = """{"error":"ServiceUnavailable","message":"try later"}""";
        await using var server = await StartAsync(s => s.RejectUpgrade(503, body), token);

        var rejection = await Handshake.RejectedAsync(server.Uri, V2Path, token);

        Assert.That(rejection.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(rejection.Body, Is.EqualTo(body));
        Assert.That(rejection.IsRetryable, Is.True);
    }

    [Test]
    public async Task WarmUp_N_RefusesNUpgradesWith503ThenServes(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), Faults = new FaultPlan().WarmUp(2) }, token);

        var first = await Handshake.RejectedAsync(server.Uri, "/subscribe", token);
        var second = await Handshake.RejectedAsync(server.Uri, V2Path, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        var frame = await client.ReceiveDataAsync(token);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(first.Body, Is.EqualTo("service not ready: bootstrap in progress"));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(FilterFixture.Name(frame.Json), Is.EqualTo("a"));
        Assert.That(server.Connections.Select(c => c.Status), Is.EqualTo(new[] { 503, 503, 101 }));
    }

    [Test]
    public async Task InjectAfter_K_SendsTheFrameBetweenEventsAndGoesOn(CancellationToken token)
    {
        await using var server = await StartAsync(s => s.InjectAfter(1, MalformedFrameKind.NotJson).InjectAfter(1, MalformedFrameKind.JsonArray), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        var frames = await client.ReceiveDataAsync(10, token);

        Assert.That(frames.Select(f => f.Text).Skip(1).Take(2), Is.EqualTo(new[] { "this is not json {", "[1,2,3]" }));
        Assert.That(frames.Where((_, i) => i is not (1 or 2)).Select(f => FilterFixture.Name(f.Json)), Is.EqualTo(new[] { "a", "b", "c", "d", "e", "f", "g", "h" }));
        var connection = server.Connections.Single();
        Assert.That(connection.EventsSent, Is.EqualTo(8));
        Assert.That(connection.FramesSent, Is.EqualTo(10));
    }

    [TestCase(MalformedFrameKind.NotJson)]
    [TestCase(MalformedFrameKind.InvalidUtf8)]
    [TestCase(MalformedFrameKind.DeepNesting)]
    [TestCase(MalformedFrameKind.Oversized)]
    [TestCase(MalformedFrameKind.Empty)]
    [TestCase(MalformedFrameKind.JsonArray)]
    [TestCase(MalformedFrameKind.MissingDid)]
    [TestCase(MalformedFrameKind.MissingTimeUs)]
    [TestCase(MalformedFrameKind.MissingKind)]
    [TestCase(MalformedFrameKind.WrongTypes)]
    [TestCase(MalformedFrameKind.UnknownKind)]
    public async Task InjectAfter_TextKindOnV1_SendsTheDescribedTextFrame(MalformedFrameKind kind, CancellationToken token)
    {
        await using var server = await StartAsync(s => { s.OversizedBytes = 200_000; s.InjectAfter(0, kind); }, token);
        await using var client = await RawWebSocket.ConnectAsync(server.Uri, "/subscribe", token);

        var frame = (await client.ReadDataFrameAsync(token))!;
        var next = (await client.ReadDataFrameAsync(token))!;

        Assert.That(frame.Fin, Is.True);
        Assert.That(frame.Opcode, Is.EqualTo(RawFrame.Text));
        AssertDescribed(kind, frame.Payload);
        Assert.That(next.Opcode, Is.EqualTo(RawFrame.Text));
        Assert.That(FilterFixture.Name(WireClient.ParseStrict(next.Payload)), Is.EqualTo("a"), "the stream goes on after the injected frame");
    }

    [TestCase(MalformedFrameKind.NotJson)]
    [TestCase(MalformedFrameKind.MissingDid)]
    [TestCase(MalformedFrameKind.Oversized)]
    public async Task InjectAfter_TextKindOnCompressedV1_IsTheSameBytesInsideAV1ZstdFrame(MalformedFrameKind kind, CancellationToken token)
    {
        await using var server = await StartAsync(s => { s.OversizedBytes = 200_000; s.InjectAfter(0, kind); }, token);
        await using var client = await RawWebSocket.ConnectAsync(server.Uri, "/subscribe?compress=true", token);

        var frame = (await client.ReadDataFrameAsync(token))!;

        Assert.That(frame.Opcode, Is.EqualTo(RawFrame.Binary));
        Assert.That(Zstd.ReadHeader(frame.Payload).DictionaryId, Is.EqualTo(JetstreamZstdDictionaries.V1Id));
        AssertDescribed(kind, Zstd.Decompress(frame.Payload, JetstreamZstdDictionaries.V1));
    }

    [Test]
    public async Task InjectAfter_EmptyOnACompressedConnection_IsAnEmptyBinaryFrame(CancellationToken token)
    {
        await using var server = await StartAsync(s => s.InjectAfter(0, MalformedFrameKind.Empty), token);
        await using var client = await RawWebSocket.ConnectAsync(server.Uri, "/subscribe?compress=true", token);

        var frame = (await client.ReadDataFrameAsync(token))!;

        Assert.That(frame.Opcode, Is.EqualTo(RawFrame.Binary));
        Assert.That(frame.Payload, Is.Empty, "no bytes at all, not even a zstd frame");
    }

    [TestCase("/subscribe", JetstreamZstdDictionaries.V1Id)]
    [TestCase("/subscribe?compress=true", JetstreamZstdDictionaries.V1Id)]
    [TestCase(V2Path, JetstreamZstdDictionaries.BundledV2Id)]
    [TestCase(V2Path + "?zstdDictionary=20260811", JetstreamZstdDictionaries.BundledV2Id)]
    public async Task InjectAfter_ZstdBomb_IsASmallFrameThatExpandsPast32MiB(string path, uint dictionaryId, CancellationToken token)
    {
        await using var server = await StartAsync(s => s.InjectAfter(0, MalformedFrameKind.ZstdBomb), token);
        await using var client = await RawWebSocket.ConnectAsync(server.Uri, path, token);

        var frame = (await client.ReadDataFrameAsync(token))!;

        Assert.That(frame.Opcode, Is.EqualTo(RawFrame.Binary));
        Assert.That(frame.Payload, Has.Length.LessThan(64 * 1024), "small on the wire");
        var (id, contentSize) = Zstd.ReadHeader(frame.Payload);
        Assert.That(id, Is.EqualTo(dictionaryId));
        Assert.That(contentSize, Is.Null, "the size is not declared, so only a capped decoder is safe");
        var dictionary = dictionaryId == JetstreamZstdDictionaries.V1Id ? JetstreamZstdDictionaries.V1 : JetstreamZstdDictionaries.BundledV2;
        Assert.That(Zstd.DecompressedLength(frame.Payload, dictionary, 32L * 1024 * 1024), Is.GreaterThan(32L * 1024 * 1024));
    }

    [TestCase("/subscribe", JetstreamZstdDictionaries.BundledV2Id)]
    [TestCase("/subscribe?compress=true", JetstreamZstdDictionaries.BundledV2Id)]
    [TestCase(V2Path + "?zstdDictionary=20260811", JetstreamZstdDictionaries.V1Id)]
    public async Task InjectAfter_WrongDictionary_IsAValidEventCompressedWithTheOtherProtocolsDictionary(string path, uint dictionaryId, CancellationToken token)
    {
        await using var server = await StartAsync(s => s.InjectAfter(0, MalformedFrameKind.WrongDictionary), token);
        await using var client = await RawWebSocket.ConnectAsync(server.Uri, path, token);

        var frame = (await client.ReadDataFrameAsync(token))!;

        Assert.That(frame.Opcode, Is.EqualTo(RawFrame.Binary));
        Assert.That(Zstd.ReadHeader(frame.Payload).DictionaryId, Is.EqualTo(dictionaryId));
        var dictionary = dictionaryId == JetstreamZstdDictionaries.V1Id ? JetstreamZstdDictionaries.V1 : JetstreamZstdDictionaries.BundledV2;
        var json = WireClient.ParseStrict(Zstd.Decompress(frame.Payload, dictionary));
        Assert.That(json.ToJsonString(), Does.Contain("wrongdict"), "a well-formed event of the connection's protocol inside");
    }

    [Test]
    public async Task InjectAfter_BinaryGarbage_Is1024SeededBytesTheSameForTheSameSeed(CancellationToken token)
    {
        var payloads = new List<byte[]>();
        foreach (var seed in new[] { 5, 5, 6 })
        {
            await using var server = await EmulatorTest.StartAsync(new() { Seed = seed, Faults = new FaultPlan().Next(s => s.InjectAfter(0, MalformedFrameKind.BinaryGarbage)) }, token);
            await using var client = await RawWebSocket.ConnectAsync(server.Uri, "/subscribe", token);
            var frame = (await client.ReadDataFrameAsync(token))!;
            Assert.That(frame.Opcode, Is.EqualTo(RawFrame.Binary));
            payloads.Add(frame.Payload);
        }

        Assert.That(payloads[0], Has.Length.EqualTo(1024));
        Assert.That(payloads[1], Is.EqualTo(payloads[0]));
        Assert.That(payloads[2], Is.Not.EqualTo(payloads[0]));
    }

    [Test]
    public async Task InjectAfter_UnknownKindOnV2_IsAnEnvelopeWithAnUnknownPayloadType(CancellationToken token)
    {
        await using var server = await StartAsync(s => s.InjectAfter(0, MalformedFrameKind.UnknownKind), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, V2Path, token);

        var frame = (await client.ReceiveDataAsync(token)).Json;

        Assert.That(frame["$type"]!.GetValue<string>(), Is.EqualTo("message"));
        Assert.That(frame["payload"]!["$type"]!.GetValue<string>(), Is.EqualTo("network.bsky.jetstream.subscribeEvents#future"));
    }

    private static void AssertDescribed(MalformedFrameKind kind, byte[] payload)
    {
        switch (kind)
        {
            case MalformedFrameKind.NotJson:
                Assert.That(() => JsonDocument.Parse(payload).Dispose(), Throws.InstanceOf<JsonException>());
                break;
            case MalformedFrameKind.InvalidUtf8:
                Assert.That(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload), Throws.InstanceOf<DecoderFallbackException>());
                Assert.That(payload[0], Is.EqualTo((byte)'{'));
                break;
            case MalformedFrameKind.DeepNesting:
                Assert.That(MaxDepth(payload), Is.GreaterThanOrEqualTo(20_000));
                break;
            case MalformedFrameKind.Oversized:
                Assert.That(payload, Has.Length.EqualTo(200_000), "padded to exactly OversizedBytes");
                Assert.That(WireClient.ParseStrict(payload)["kind"]!.GetValue<string>(), Is.EqualTo("commit"), "well-formed");
                break;
            case MalformedFrameKind.Empty:
                Assert.That(payload, Is.Empty);
                break;
            case MalformedFrameKind.JsonArray:
                Assert.That(WireClient.ParseStrict(payload).GetValueKind(), Is.EqualTo(JsonValueKind.Array));
                break;
            case MalformedFrameKind.MissingDid:
                AssertFields(payload, has: ["time_us", "kind"], lacks: "did");
                break;
            case MalformedFrameKind.MissingTimeUs:
                AssertFields(payload, has: ["did", "kind"], lacks: "time_us");
                break;
            case MalformedFrameKind.MissingKind:
                AssertFields(payload, has: ["did", "time_us"], lacks: "kind");
                break;
            case MalformedFrameKind.WrongTypes:
                Assert.That(WireClient.ParseStrict(payload)["time_us"]!.GetValueKind(), Is.EqualTo(JsonValueKind.String));
                break;
            case MalformedFrameKind.UnknownKind:
                Assert.That(WireClient.ParseStrict(payload)["kind"]!.GetValue<string>(), Is.EqualTo("future"));
                break;
            default:
                Assert.Fail($"no check for {kind}");
                break;
        }
    }

    private static void AssertFields(byte[] payload, string[] has, string lacks)
    {
        var json = WireClient.ParseStrict(payload).AsObject();
        Assert.That(has.Select(json.ContainsKey), Has.All.True);
        Assert.That(json.ContainsKey(lacks), Is.False);
    }

    private static int MaxDepth(byte[] payload)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 30_000 });
        var max = 0;
        while (reader.Read())
        {
            max = Math.Max(max, reader.CurrentDepth);
        }

        return max;
    }
}
