using System.Buffers.Binary;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>The emulator's v2 <c>subscribeEvents</c> and <c>getZstdDictionary</c> on the wire (PROTOCOL §5.3, §6).</summary>
[CancelAfter(30_000)]
public sealed class JetstreamTestServerSubscribeEventsTests
{
    private const string Path = "/xrpc/network.bsky.jetstream.subscribeEvents";
    private const string DictionaryPath = "/xrpc/network.bsky.jetstream.getZstdDictionary";
    private const string TypePrefix = "network.bsky.jetstream.subscribeEvents#";
    private static readonly string CommitMarker = TestEvents.Commit("app.bsky.graph.marker", rkey: "marker", did: FilterFixture.DidA);

    /// <summary>A v2 payload's letter, as <see cref="FilterFixture.Name"/> names v1 events.</summary>
    private static string Name(JsonNode frame)
    {
        var payload = frame["payload"]!;
        return payload["$type"]!.GetValue<string>()[TypePrefix.Length..] switch
        {
            "commit" => payload["rkey"]!.GetValue<string>(),
            "identity" when payload["identity"]!["handle"] is not null => "marker",
            "identity" => "e",
            "account" => "f",
            var other => other,
        };
    }

    private static async Task<List<string>> ReceiveUntilMarkerAsync(WireClient client, CancellationToken token)
    {
        var names = new List<string>();
        while (names.LastOrDefault() != "marker")
        {
            names.Add(Name((await client.ReceiveDataAsync(token)).Json));
        }

        return names;
    }

    private static Task<WireClient> ConnectAsync(JetstreamTestServer server, string query, CancellationToken token) =>
        WireClient.ConnectAsync(server.Uri, Path + query, token, o => o.AddSubProtocol("xrpc.v1.json"));

    private static async Task<JsonNode> RejectedJsonAsync(JetstreamTestServer server, string query, CancellationToken token, Dictionary<string, string>? headers = null)
    {
        var rejection = await Handshake.RejectedAsync(server.Uri, Path + query, token, headers, ["xrpc.v1.json"]);
        Assert.That(rejection.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        return WireClient.ParseStrict(System.Text.Encoding.UTF8.GetBytes(rejection.Body));
    }

    /// <summary>The bundled v2 dictionary with another ID in its header: a stand-in for the next rotation.</summary>
    private static byte[] RotatedDictionary(uint id)
    {
        var bytes = JetstreamZstdDictionaries.BundledV2.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), id);
        return bytes;
    }

    [Test]
    public async Task SubscribeEvents_SubProtocolOffered_IsEchoed(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        await using var offered = await ConnectAsync(server, string.Empty, token);
        await using var plain = await WireClient.ConnectAsync(server.Uri, Path, token);
        using var checkedByTransport = await Handshake.AcceptedAsync(server.Uri, Path, token, ["xrpc.v1.json"]);

        Assert.That(offered.Socket.SubProtocol, Is.EqualTo("xrpc.v1.json"));
        Assert.That(plain.Socket.SubProtocol, Is.Null, "nothing offered, nothing chosen; the framing is the same");
        Assert.That(checkedByTransport.SubProtocol, Is.EqualTo("xrpc.v1.json"));
        checkedByTransport.Abort();
    }

    [Test]
    public async Task SubscribeEvents_Events_AreMessageEnvelopesWithFlattenedPayloads(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        await using var v1 = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        await using var client = await ConnectAsync(server, string.Empty, token);

        var frames = (await client.ReceiveDataAsync(8, token)).ToList();
        var v1Events = (await v1.ReceiveDataAsync(8, token)).Select(f => f.Json).ToList();

        Assert.That(frames.Select(f => f.Type), Has.All.EqualTo(WebSocketMessageType.Text));
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i].Json.AsObject();
            var source = WireClient.ParseStrict(System.Text.Encoding.UTF8.GetBytes(FilterFixture.Events[i]));
            var kind = source["kind"]!.GetValue<string>();
            Assert.That(frame.Select(p => p.Key), Is.EquivalentTo(new[] { "$type", "payload" }));
            Assert.That(frame["$type"]!.GetValue<string>(), Is.EqualTo("message"));
            var payload = frame["payload"]!.AsObject();
            Assert.That(payload["$type"]!.GetValue<string>(), Is.EqualTo(TypePrefix + kind));
            Assert.That(payload["seq"]!.GetValue<long>(), Is.EqualTo(i + 1));
            Assert.That(payload["did"]!.GetValue<string>(), Is.EqualTo(source["did"]!.GetValue<string>()));
            var time = payload["time"]!.GetValue<string>();
            Assert.That(time, Does.Match(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"), "RFC 3339 UTC with exactly 6 fractional digits");
            var timeUs = (DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UnixEpoch).Ticks / 10;
            Assert.That(timeUs, Is.EqualTo(v1Events[i]["time_us"]!.GetValue<long>()), "the same stamp as the v1 frame");
            Assert.That(payload.ContainsKey("kind") || payload.ContainsKey("time_us") || payload.ContainsKey("cursor") || payload.ContainsKey("commit"), Is.False);
            if (kind == "commit")
            {
                foreach (var (name, value) in source["commit"]!.AsObject())
                {
                    Assert.That(JsonNode.DeepEquals(payload[name], value), Is.True, $"commit.{name} of event {i + 1} is flattened into the payload");
                }

                Assert.That(payload.Count, Is.EqualTo(4 + source["commit"]!.AsObject().Count));
            }
            else
            {
                Assert.That(JsonNode.DeepEquals(payload[kind], source[kind]), Is.True);
                Assert.That(payload.Count, Is.EqualTo(5));
            }
        }
    }

    [Test]
    public async Task SubscribeEvents_BundledRealEvents_AllArriveAsEnvelopesWithTheSourceFields(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = JetstreamEventSource.BundledRealEvents }, token);
        await using var client = await ConnectAsync(server, string.Empty, token);

        var frames = await client.ReceiveDataAsync(167, token);

        for (var i = 0; i < frames.Count; i++)
        {
            var payload = frames[i].Json["payload"]!.AsObject();
            var source = EmulatorTest.BundledSource[i];
            var kind = source["kind"]!.GetValue<string>();
            Assert.That(payload["seq"]!.GetValue<long>(), Is.EqualTo(i + 1));
            var expected = kind == "commit" ? source["commit"]!.AsObject() : new JsonObject { [kind] = source[kind]!.DeepClone() };
            foreach (var (name, value) in expected)
            {
                Assert.That(JsonNode.DeepEquals(payload[name], value), Is.True, $"{name} of event {i + 1}");
            }
        }
    }

    [TestCase("?kinds=identity&kinds=account", "e,f,marker")]
    [TestCase("?kinds=commit&collections=app.bsky.graph.*", "c,d,h,marker")]
    [TestCase("?collections=app.bsky.feed.post", "a,e,f,marker")]
    [TestCase("?collections=app.bsky.feed.like&collections=fm.teal.alpha.*", "b,e,f,g,marker")]
    [TestCase("?dids=" + FilterFixture.DidB + "&kinds=commit&kinds=account", "b,d,f,h")]
    [TestCase("?dids=" + FilterFixture.DidA, "a,c,e,g,marker")]
    public async Task SubscribeEvents_Filters_DeliverExactlyTheMatchingEvents(string query, string expected, CancellationToken token)
    {
        var withMarkers = FilterFixture.Events.Append(FilterFixture.Marker).Append(CommitMarker).Append(TestEvents.Account(FilterFixture.DidB, active: false, status: "deactivated")).ToArray();
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(withMarkers) }, token);
        await using var client = await ConnectAsync(server, query, token);

        var names = new List<string>();
        var count = expected.Split(',').Length;
        while (names.Count < count)
        {
            names.Add(Name((await client.ReceiveDataAsync(token)).Json));
        }

        Assert.That(names, Is.EqualTo(expected.Split(',')));
        if (names[^1] != "marker")
        {
            // No marker gets through this filter: the last event (DID B's account) closes the list instead.
            var last = await client.ReceiveDataAsync(token);
            Assert.That(last.Json["payload"]!["account"]!["status"]!.GetValue<string>(), Is.EqualTo("deactivated"));
        }
    }

    [TestCase("?wantedDids=" + FilterFixture.DidA, "dids")]
    [TestCase("?wantedCollections=app.bsky.feed.post", "collections")]
    [TestCase("?requireHello=true", "requireHello")]
    [TestCase("?compress=true", "zstdDictionary")]
    public async Task SubscribeEvents_LegacyParameter_Is400InvalidRequestNamingTheReplacement(string query, string replacement, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);

        var error = await RejectedJsonAsync(server, query, token);

        Assert.That(error["error"]!.GetValue<string>(), Is.EqualTo("InvalidRequest"));
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain(replacement));
    }

    [Test]
    public async Task SubscribeEvents_SocketEncodingHeader_Is400InvalidRequest(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);

        var error = await RejectedJsonAsync(server, string.Empty, token, new Dictionary<string, string> { ["Socket-Encoding"] = "zstd" });

        Assert.That(error["error"]!.GetValue<string>(), Is.EqualTo("InvalidRequest"));
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("zstdDictionary"));
    }

    [TestCase("?kinds=commits")]
    [TestCase("?kinds=")]
    [TestCase("?kinds=commit&kinds=identity&kinds=account&kinds=sync&kinds=commit")]
    [TestCase("?kinds=identity&collections=app.bsky.feed.post")]
    [TestCase("?collections=app.*")]
    [TestCase("?collections=not_an_nsid.*")]
    [TestCase("?collections=app.bsky.feed.po*")]
    [TestCase("?dids=not-a-did")]
    [TestCase("?maxMessageSizeBytes=-1")]
    [TestCase("?maxMessageSizeBytes=big")]
    [TestCase("?maxMessageSizeBytes=")]
    [TestCase("?maxMessageSizeBytes=4294967296")]
    [TestCase("?maxMessageSizeBytes=10&maxMessageSizeBytes=20")]
    [TestCase("?cursor=-1")]
    [TestCase("?cursor=soon")]
    [TestCase("?zstdDictionary=0")]
    [TestCase("?zstdDictionary=latest")]
    public async Task SubscribeEvents_InvalidParameter_Is400InvalidRequest(string query, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);

        var error = await RejectedJsonAsync(server, query, token);

        Assert.That(error["error"]!.GetValue<string>(), Is.EqualTo("InvalidRequest"));
        Assert.That(error["message"]!.GetValue<string>(), Is.Not.Empty);
    }

    [Test]
    public async Task SubscribeEvents_AtTheLimits_IsAcceptedAndOneMoreIs400(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        var collections = string.Join('&', Enumerable.Range(0, 99).Select(i => $"collections=app.test.c{i}"));
        var dids = string.Join('&', Enumerable.Range(0, 10_000).Select(i => $"dids=did:plc:test{i}"));

        using var accepted = await Handshake.AcceptedAsync(server.Uri, $"{Path}?{collections}&{dids}&kinds=commit&collections=app.bsky.*", token);
        var tooManyCollections = await RejectedJsonAsync(server, $"?{collections}&collections=app.test.c99&collections=app.test.c0", token);
        var tooManyDids = await RejectedJsonAsync(server, $"?{dids}&dids=did:plc:test0", token);

        Assert.That(accepted.State, Is.EqualTo(WebSocketState.Open), "100 collections and 10,000 DIDs, wildcards with a valid head");
        Assert.That(tooManyCollections["error"]!.GetValue<string>(), Is.EqualTo("InvalidRequest"));
        Assert.That(tooManyDids["error"]!.GetValue<string>(), Is.EqualTo("InvalidRequest"), "raw values count: no dedupe leniency on v2");
        accepted.Abort();
    }

    [Test]
    public async Task SubscribeEvents_Rejection_IsXrpcJson(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        using var http = new HttpClient();

        using var response = await Handshake.SendUpgradeAsync(http, server.Uri, Path + "?kinds=nope", token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var body = WireClient.ParseStrict(await response.Content.ReadAsByteArrayAsync(token)).AsObject();
        Assert.That(body.Select(p => p.Key), Is.EquivalentTo(new[] { "error", "message" }));
    }

    [Test]
    public async Task SubscribeEvents_MaxMessageSize_ComparesTheWholeUncompressedFrame(CancellationToken token)
    {
        var big = TestEvents.Post(new string('x', 5_000), rkey: "big");
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events[0], big, FilterFixture.Events[4]) }, token);
        int size;
        await using (var probe = await ConnectAsync(server, string.Empty, token))
        {
            size = (await probe.ReceiveDataAsync(3, token))[1].Bytes.Length;
        }

        var delivered = new Dictionary<string, List<string>>();
        foreach (var query in new[] { $"?maxMessageSizeBytes={size}", $"?maxMessageSizeBytes={size - 1}", $"?maxMessageSizeBytes={size - 1}&zstdDictionary={JetstreamZstdDictionaries.BundledV2Id}", "?maxMessageSizeBytes=0" })
        {
            await using var client = await ConnectAsync(server, query, token);
            var names = new List<string>();
            while (names.LastOrDefault() != "e")
            {
                var frame = await client.ReceiveDataAsync(token);
                var json = frame.Type == WebSocketMessageType.Binary ? WireClient.ParseStrict(Zstd.Decompress(frame.Bytes, JetstreamZstdDictionaries.BundledV2)) : frame.Json;
                names.Add(Name(json));
            }

            delivered[query] = names;
        }

        Assert.That(delivered[$"?maxMessageSizeBytes={size}"], Is.EqualTo(new[] { "a", "big", "e" }), "envelope included, exactly the limit passes");
        Assert.That(delivered[$"?maxMessageSizeBytes={size - 1}"], Is.EqualTo(new[] { "a", "e" }));
        Assert.That(delivered[$"?maxMessageSizeBytes={size - 1}&zstdDictionary={JetstreamZstdDictionaries.BundledV2Id}"], Is.EqualTo(new[] { "a", "e" }));
        Assert.That(delivered["?maxMessageSizeBytes=0"], Is.EqualTo(new[] { "a", "big", "e" }), "0 is no cap");
    }

    [Test]
    public async Task SubscribeEvents_SeqCursor_ReplaysInclusivelyAndBelowTheFloorIsCursorTooOld(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), RetainedEvents = 3 }, token);
        await using var client = await ConnectAsync(server, "?cursor=7", token);

        var seqs = (await client.ReceiveDataAsync(2, token)).Select(f => f.Json["payload"]!["seq"]!.GetValue<long>());
        var tooOld = await RejectedJsonAsync(server, "?cursor=5", token);
        var zero = await RejectedJsonAsync(server, "?cursor=0", token);
        using var atFloor = await Handshake.AcceptedAsync(server.Uri, Path + "?cursor=6", token);

        Assert.That(seqs, Is.EqualTo(new long[] { 7, 8 }));
        Assert.That(tooOld["error"]!.GetValue<string>(), Is.EqualTo("CursorTooOld"));
        Assert.That(tooOld["message"]!.GetValue<string>(), Does.Contain("cursor 5 below lookback floor 6"));
        Assert.That(zero["error"]!.GetValue<string>(), Is.EqualTo("CursorTooOld"), "0 is too old once the floor is above 1");
        Assert.That(atFloor.State, Is.EqualTo(WebSocketState.Open));
        Assert.That(server.Connections.Select(c => c.Status), Is.EqualTo(new[] { 101, 400, 400, 101 }));
        atFloor.Abort();
    }

    [Test]
    public async Task SubscribeEvents_CursorZeroWithNothingTrimmed_ReplaysFromTheStart(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        await using var client = await ConnectAsync(server, "?cursor=0", token);

        var first = await client.ReceiveDataAsync(token);

        Assert.That(first.Json["payload"]!["seq"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [Test]
    public async Task SubscribeEvents_FutureSeqCursor_IsTheLiveTail(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        await using var client = await ConnectAsync(server, "?cursor=500", token);

        await client.AssertQuietAsync(TimeSpan.FromMilliseconds(200), token);
        server.Publish(FilterFixture.Marker);
        var names = await ReceiveUntilMarkerAsync(client, token);

        Assert.That(names, Is.EqualTo(new[] { "marker" }));
    }

    [Test]
    public async Task SubscribeEvents_TimestampCursorBelowTheFloor_FirstFrameIsOutdatedCursorInfo(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), RetainedEvents = 3 }, token);
        await using var client = await ConnectAsync(server, "?cursor=1000000000000000", token);

        var frames = await client.ReceiveDataAsync(4, token);

        var info = frames[0].Json.AsObject();
        Assert.That(info["$type"]!.GetValue<string>(), Is.EqualTo("message"));
        var payload = info["payload"]!.AsObject();
        Assert.That(payload["$type"]!.GetValue<string>(), Is.EqualTo(TypePrefix + "info"));
        Assert.That(payload["name"]!.GetValue<string>(), Is.EqualTo("OutdatedCursor"));
        Assert.That(payload["message"]!.GetValue<string>(), Does.EndWith("starting at seq 6"));
        Assert.That(payload.ContainsKey("seq"), Is.False, "#info has no seq");
        Assert.That(frames.Skip(1).Select(f => f.Json["payload"]!["seq"]!.GetValue<long>()), Is.EqualTo(new long[] { 6, 7, 8 }));
        var connection = server.Connections.Single();
        Assert.That(connection.EventsSent, Is.EqualTo(3));
        Assert.That(connection.FramesSent, Is.EqualTo(4));
    }

    [Test]
    public async Task SubscribeEvents_TimestampCursorInsideTheWindow_ReplaysInclusivelyWithoutInfo(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        long timeUs;
        await using (var v1 = await WireClient.ConnectAsync(server.Uri, "/subscribe", token))
        {
            timeUs = (await v1.ReceiveDataAsync(3, token))[2].Json["time_us"]!.GetValue<long>();
        }

        await using var client = await ConnectAsync(server, $"?cursor={timeUs}", token);
        var first = await client.ReceiveDataAsync(token);

        Assert.That(first.Json["payload"]!["seq"]!.GetValue<long>(), Is.EqualTo(3));
    }

    [Test]
    public async Task SubscribeEvents_CurrentZstdDictionary_EachBinaryFrameIsOneZstdFrameOfTheTextFrame(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = JetstreamEventSource.BundledRealEvents }, token);
        await using var plain = await ConnectAsync(server, string.Empty, token);
        await using var compressed = await ConnectAsync(server, "?zstdDictionary=20260811", token);

        var expected = await plain.ReceiveDataAsync(167, token);
        var frames = await compressed.ReceiveDataAsync(167, token);

        Assert.That(frames.Select(f => f.Type), Has.All.EqualTo(WebSocketMessageType.Binary));
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.That(Zstd.ReadHeader(frames[i].Bytes).DictionaryId, Is.EqualTo(20_260_811u));
            Assert.That(Zstd.Decompress(frames[i].Bytes, JetstreamZstdDictionaries.BundledV2), Is.EqualTo(expected[i].Bytes), $"frame {i + 1}");
        }

        Assert.That(server.Connections[1].DictionaryId, Is.EqualTo(20_260_811u));
    }

    [Test]
    public async Task SubscribeEvents_UnknownZstdDictionary_Is400NamingTheCurrentId(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);

        var error = await RejectedJsonAsync(server, "?zstdDictionary=12345", token);

        Assert.That(error["error"]!.GetValue<string>(), Is.EqualTo("UnknownZstdDictionary"));
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("20260811"));
    }

    [Test]
    public async Task RotateDictionary_OldIdBecomesUnknownAndTheNewOneCompresses(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        var rotated = RotatedDictionary(20_270_101);

        var id = server.RotateDictionary(rotated);
        var error = await RejectedJsonAsync(server, "?zstdDictionary=20260811", token);
        await using var client = await ConnectAsync(server, "?zstdDictionary=20270101", token);
        var frame = await client.ReceiveDataAsync(token);

        Assert.That(id, Is.EqualTo(20_270_101u));
        Assert.That(server.CurrentDictionaryId, Is.EqualTo(20_270_101u));
        Assert.That(error["error"]!.GetValue<string>(), Is.EqualTo("UnknownZstdDictionary"));
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("20270101"));
        Assert.That(Zstd.ReadHeader(frame.Bytes).DictionaryId, Is.EqualTo(20_270_101u));
        Assert.That(Name(WireClient.ParseStrict(Zstd.Decompress(frame.Bytes, rotated))), Is.EqualTo("a"));
    }

    [Test]
    public async Task GetZstdDictionary_ReturnsTheCurrentDictionaryWithCacheHeaders(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        using var http = new HttpClient();

        using var current = await http.GetAsync(new Uri(server.HttpUri, DictionaryPath), token);
        using var byId = await http.GetAsync(new Uri(server.HttpUri, DictionaryPath + "?id=20260811"), token);

        foreach (var response in new[] { current, byId })
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(token), Is.EqualTo(JetstreamZstdDictionaries.BundledV2.ToArray()));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/octet-stream"));
            Assert.That(response.Headers.ETag?.ToString(), Is.EqualTo("\"zstd-dict-20260811\""));
            Assert.That(response.Headers.GetValues("X-Zstd-Dictionary-Id"), Is.EqualTo(new[] { "20260811" }));
            Assert.That(response.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=31536000, immutable"));
        }
    }

    [TestCase("?id=12345")]
    [TestCase("?id=")]
    [TestCase("?id=current")]
    public async Task GetZstdDictionary_UnknownId_Is404DictionaryNotFound(string query, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(server.HttpUri, DictionaryPath + query), token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var body = WireClient.ParseStrict(await response.Content.ReadAsByteArrayAsync(token));
        Assert.That(body["error"]!.GetValue<string>(), Is.EqualTo("DictionaryNotFound"));
        Assert.That(body["message"]!.GetValue<string>(), Does.Contain("20260811"));
    }

    [Test]
    public async Task GetZstdDictionary_AfterRotation_ServesTheNewOne(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        using var http = new HttpClient();
        var rotated = RotatedDictionary(20_270_101);
        server.RotateDictionary(rotated);

        using var response = await http.GetAsync(new Uri(server.HttpUri, DictionaryPath), token);

        Assert.That(await response.Content.ReadAsByteArrayAsync(token), Is.EqualTo(rotated));
        Assert.That(response.Headers.GetValues("X-Zstd-Dictionary-Id"), Is.EqualTo(new[] { "20270101" }));
    }

    [TestCase(WebSocketMessageType.Text)]
    [TestCase(WebSocketMessageType.Binary)]
    public async Task SubscribeEvents_ClientDataFrame_Closes1008(WebSocketMessageType type, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        await using var client = await ConnectAsync(server, string.Empty, token);

        await client.Socket.SendAsync("""{"type":"options_update","payload":{}}"""u8.ToArray(), type, true, token);
        var close = await client.ReceiveAsync(token);

        Assert.That(close.Type, Is.EqualTo(WebSocketMessageType.Close));
        Assert.That(close.CloseStatus, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        var connection = server.Connections.Single();
        await connection.Ended.WaitAsync(WireClient.Deadline, token);
        Assert.That(connection.ServerCloseStatus, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(connection.ClientMessages, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SubscribeEvents_DeepRecordWithNonAscii_IsPassedThroughByteForByte(CancellationToken token)
    {
        var record = $$"""{"$type":"app.test.deep","text":"héllo <&> 🔞","nested":{{new string('[', 1_000) + new string(']', 1_000)}}}""";
        var deep = $$$"""{"did":"{{{FilterFixture.DidA}}}","time_us":0,"kind":"commit","commit":{"rev":"3mmoojp7vgo2g","operation":"create","collection":"app.test.deep","rkey":"deep","record":{{{record}}},"cid":"bafyreidqpc7si3dbimffi64lz3xsx2qt45ip7rpna2qpslcddp23itjjzm"}}""";
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(deep, FilterFixture.Events[0]) }, token);
        await using var client = await ConnectAsync(server, string.Empty, token);

        var frames = await client.ReceiveDataAsync(2, token);

        Assert.That(frames[0].Text, Does.Contain(record), "the record keeps its depth and its bytes (no re-escaping)");
        Assert.That(Name(frames[1].Json), Is.EqualTo("a"));
    }
}
