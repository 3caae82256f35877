using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>The emulator's v1 <c>/subscribe</c> on the wire (PROTOCOL §2–§3, §5.1–5.2): replay, filters, cursors and the 400 texts.</summary>
[CancelAfter(30_000)]
public sealed class JetstreamTestServerSubscribeTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [TestCase(ServerFlavor.Current)]
    [TestCase(ServerFlavor.Legacy)]
    public async Task Subscribe_BundledRealEvents_ArriveInOrderAsTheSourceRestamped(ServerFlavor flavor, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = JetstreamEventSource.BundledRealEvents, Flavor = flavor }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        var frames = await client.ReceiveDataAsync(EmulatorTest.BundledSource.Count, token);

        Assert.That(EmulatorTest.BundledSource, Has.Count.EqualTo(167));
        Assert.That(server.BadSourceEvents, Is.Zero);
        Assert.That(frames.Select(f => f.Type), Has.All.EqualTo(WebSocketMessageType.Text));
        var events = frames.Select(f => f.Json).ToList();
        var times = events.Select(e => e["time_us"]!.GetValue<long>()).ToList();
        Assert.That(times, Is.Ordered.Ascending);
        Assert.That(times, Is.Unique, "strictly increasing");
        if (flavor == ServerFlavor.Current)
        {
            Assert.That(events.Select(e => e["cursor"]!.GetValue<long>()), Is.EqualTo(Enumerable.Range(1, 167).Select(i => (long)i)));
        }
        else
        {
            Assert.That(events.Select(e => e.AsObject().ContainsKey("cursor")), Has.All.False);
        }

        for (var i = 0; i < events.Count; i++)
        {
            Assert.That(JsonNode.DeepEquals(EmulatorTest.WithoutStamps(events[i]), EmulatorTest.WithoutStamps(EmulatorTest.BundledSource[i])), Is.True, $"event {i + 1}: {frames[i].Text}");
        }
    }

    [TestCase(ServerFlavor.Current, "wantedCollections=app.bsky.feed.post", "a,e,f")]
    [TestCase(ServerFlavor.Current, "wantedCollections=app.bsky.graph.*", "c,d,e,f,h")]
    [TestCase(ServerFlavor.Current, "wantedCollections=app.bsky.feed.like&wantedCollections=fm.teal.*", "b,e,f,g")]
    [TestCase(ServerFlavor.Current, "wantedDids=" + FilterFixture.DidA, "a,c,e,g")]
    [TestCase(ServerFlavor.Current, "wantedDids=" + FilterFixture.DidA + "&wantedCollections=app.bsky.graph.*", "c,e")]
    [TestCase(ServerFlavor.Legacy, "wantedDids=" + FilterFixture.DidB + "&wantedDids=" + FilterFixture.DidA + "&wantedCollections=app.bsky.*", "a,b,c,d,e,f,h")]
    public async Task Subscribe_Filters_DeliverExactlyTheMatchingEvents(ServerFlavor flavor, string query, string expected, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), Flavor = flavor }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?" + query, token);

        server.Publish(FilterFixture.Marker);
        var names = await FilterFixture.ReceiveUntilMarkerAsync(client, token);

        Assert.That(names, Is.EqualTo(expected.Split(',').Append("marker")));
    }

    [TestCase(ServerFlavor.Legacy, "wantedCollections=app.bsky.graph.fo*", "invalid subscriber options: invalid collection: app.bsky.graph.fo*")]
    [TestCase(ServerFlavor.Current, "wantedCollections=app.bsky.graph.fo*", "subscribe: invalid options: invalid collection \"app.bsky.graph.fo*\"")]
    [TestCase(ServerFlavor.Legacy, "wantedCollections=*", "invalid subscriber options: invalid collection: *")]
    [TestCase(ServerFlavor.Current, "wantedCollections=", "subscribe: invalid options: invalid collection \"\"")]
    [TestCase(ServerFlavor.Legacy, "wantedDids=not-a-did", "invalid subscriber options")]
    [TestCase(ServerFlavor.Current, "wantedDids=not-a-did", "subscribe: invalid options: invalid DID \"not-a-did\"")]
    [TestCase(ServerFlavor.Legacy, "cursor=soon", "invalid cursor: soon")]
    [TestCase(ServerFlavor.Current, "cursor=soon", "subscribe: invalid cursor: \"soon\"")]
    [TestCase(ServerFlavor.Current, "cursor=1.5", "subscribe: invalid cursor: \"1.5\"")]
    [TestCase(ServerFlavor.Current, "cursor=-5", "subscribe: invalid cursor: negative value -5")]
    public async Task Subscribe_InvalidQuery_Is400WithTheServersText(ServerFlavor flavor, string query, string text, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Flavor = flavor }, token);

        var rejection = await Handshake.RejectedAsync(server.Uri, "/subscribe?" + query, token);

        Assert.That(rejection.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(rejection.Body, Is.EqualTo(text + "\n"));
        var connection = server.Connections.Single();
        Assert.That(connection.Status, Is.EqualTo(400));
        Assert.That(connection.RejectionBody, Is.EqualTo(text + "\n"));
    }

    [TestCase(ServerFlavor.Legacy, "invalid subscriber options: too many wanted collections")]
    [TestCase(ServerFlavor.Current, "subscribe: invalid options: too many wanted collections (at most 100)")]
    public async Task Subscribe_101Collections_Is400(ServerFlavor flavor, string text, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Flavor = flavor }, token);
        var exactly100 = string.Join('&', Enumerable.Range(0, 100).Select(i => $"wantedCollections=app.test.c{i}"));

        var rejection = await Handshake.RejectedAsync(server.Uri, "/subscribe?" + exactly100 + "&wantedCollections=app.test.c100", token);
        using var accepted = await Handshake.AcceptedAsync(server.Uri, "/subscribe?" + exactly100 + "&wantedCollections=app.test.c0", token);

        Assert.That(rejection.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(rejection.Body, Is.EqualTo(text + "\n"));
        Assert.That(accepted.State, Is.EqualTo(WebSocketState.Open), "100 distinct values (one repeated) are within the limit");
        accepted.Abort();
    }

    [TestCase(ServerFlavor.Legacy, "invalid subscriber options: too many wanted DIDs")]
    [TestCase(ServerFlavor.Current, "subscribe: invalid options: too many wanted DIDs (at most 10000)")]
    public async Task Subscribe_10001Dids_Is400(ServerFlavor flavor, string text, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Flavor = flavor }, token);
        var exactly10000 = string.Join('&', Enumerable.Range(0, 10_000).Select(i => $"wantedDids=did:plc:test{i}"));

        var rejection = await Handshake.RejectedAsync(server.Uri, "/subscribe?" + exactly10000 + "&wantedDids=did:plc:test10000", token);
        using var accepted = await Handshake.AcceptedAsync(server.Uri, "/subscribe?" + exactly10000 + "&wantedDids=did:plc:test0", token);

        Assert.That(rejection.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(rejection.Body, Is.EqualTo(text + "\n"));
        Assert.That(accepted.State, Is.EqualTo(WebSocketState.Open), "duplicates are removed before the limit");
        accepted.Abort();
    }

    [Test]
    public async Task Subscribe_RepeatedPrefixes_CountOnLegacyButNotOnCurrent(CancellationToken token)
    {
        // Legacy counts unique full paths plus every prefix as given; the newer server deduplicates both (PROTOCOL §2.2).
        var query = "/subscribe?" + string.Join('&', Enumerable.Range(0, 120).Select(i => $"wantedCollections=app.test.p{i % 60}.*"));
        await using var legacy = await EmulatorTest.StartAsync(new() { Flavor = ServerFlavor.Legacy }, token);
        await using var current = await EmulatorTest.StartAsync(new() { Flavor = ServerFlavor.Current }, token);

        var rejection = await Handshake.RejectedAsync(legacy.Uri, query, token);
        using var accepted = await Handshake.AcceptedAsync(current.Uri, query, token);

        Assert.That(rejection.Body, Is.EqualTo("invalid subscriber options: too many wanted collections\n"));
        Assert.That(accepted.State, Is.EqualTo(WebSocketState.Open));
        accepted.Abort();
    }

    [Test]
    public async Task Subscribe_Rejection_IsPlainText(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        using var http = new HttpClient();

        using var response = await Handshake.SendUpgradeAsync(http, server.Uri, "/subscribe?cursor=x", token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
    }

    [TestCase(ServerFlavor.Current)]
    [TestCase(ServerFlavor.Legacy)]
    public async Task Subscribe_TimeUsCursor_ReplaysInclusively(ServerFlavor flavor, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), Flavor = flavor }, token);
        List<long> times;
        await using (var first = await WireClient.ConnectAsync(server.Uri, "/subscribe", token))
        {
            times = (await first.ReceiveDataAsync(8, token)).Select(f => f.Json["time_us"]!.GetValue<long>()).ToList();
        }

        await using var client = await WireClient.ConnectAsync(server.Uri, $"/subscribe?cursor={times[4]}", token);
        var replayed = (await client.ReceiveDataAsync(4, token)).Select(f => f.Json["time_us"]!.GetValue<long>());

        Assert.That(replayed, Is.EqualTo(times.Skip(4)), "from the event at the cursor on");
        Assert.That(server.Connections[1].RequestedCursor, Is.EqualTo(times[4]));
    }

    [Test]
    public async Task Subscribe_SeqCursorOnCurrent_ReplaysInclusivelyBySeq(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?cursor=5", token);

        var replayed = await client.ReceiveDataAsync(4, token);

        Assert.That(replayed.Select(f => f.Json["cursor"]!.GetValue<long>()), Is.EqualTo(new long[] { 5, 6, 7, 8 }));
        Assert.That(server.Connections.Single().SentSequence, Is.EqualTo(new long[] { 5, 6, 7, 8 }));
    }

    [TestCase(ServerFlavor.Current, "1")]
    [TestCase(ServerFlavor.Current, "1000000000000000")]
    [TestCase(ServerFlavor.Legacy, "0")]
    [TestCase(ServerFlavor.Legacy, "1000000000000000")]
    public async Task Subscribe_CursorOlderThanRetention_StartsAtTheFloor(ServerFlavor flavor, string cursor, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), RetainedEvents = 3, Flavor = flavor }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?cursor=" + cursor, token);

        var names = (await client.ReceiveDataAsync(3, token)).Select(f => FilterFixture.Name(f.Json));

        Assert.That(server.FloorSeq, Is.EqualTo(6));
        Assert.That(names, Is.EqualTo(new[] { "f", "g", "h" }), "the log is in order, so the first event sent is the floor");
    }

    [TestCase(ServerFlavor.Current, "1000")]
    [TestCase(ServerFlavor.Current, "9000000000000000")]
    [TestCase(ServerFlavor.Legacy, "9000000000000000")]
    public async Task Subscribe_FutureCursor_IsTheLiveTail(ServerFlavor flavor, string cursor, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), Flavor = flavor }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?cursor=" + cursor, token);

        await client.AssertQuietAsync(Quiet, token);
        server.Publish(FilterFixture.Marker);
        var names = await FilterFixture.ReceiveUntilMarkerAsync(client, token);

        Assert.That(names, Is.EqualTo(new[] { "marker" }));
        Assert.That(server.Connections.Single().SentSequence, Is.EqualTo(new long[] { 9 }));
    }

    [Test]
    public async Task Subscribe_NoCursorInReplayMode_StartsAtTheFloor(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), RetainedEvents = 2 }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        var names = (await client.ReceiveDataAsync(2, token)).Select(f => FilterFixture.Name(f.Json));

        Assert.That(names, Is.EqualTo(new[] { "g", "h" }));
    }

    [TestCase(ServerFlavor.Current, "/subscribe?compress=true", null)]
    [TestCase(ServerFlavor.Current, "/subscribe", "zstd")]
    [TestCase(ServerFlavor.Legacy, "/subscribe", "gzip, zstd")]
    public async Task Subscribe_Compressed_EachBinaryFrameIsOneV1DictionaryZstdFrameOfTheTextFrame(ServerFlavor flavor, string path, string? socketEncoding, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = JetstreamEventSource.BundledRealEvents, Flavor = flavor }, token);
        await using var plain = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        await using var compressed = await WireClient.ConnectAsync(server.Uri, path, token, o =>
        {
            if (socketEncoding is not null)
            {
                o.SetRequestHeader("Socket-Encoding", socketEncoding);
            }
        });

        var expected = await plain.ReceiveDataAsync(167, token);
        var frames = await compressed.ReceiveDataAsync(167, token);

        Assert.That(frames.Select(f => f.Type), Has.All.EqualTo(WebSocketMessageType.Binary));
        Assert.That(server.Connections[1].Compressed, Is.True);
        Assert.That(server.Connections[1].DictionaryId, Is.EqualTo(Compression.JetstreamZstdDictionaries.V1Id));
        for (var i = 0; i < frames.Count; i++)
        {
            var (dictionaryId, contentSize) = Zstd.ReadHeader(frames[i].Bytes);
            Assert.That(dictionaryId, Is.EqualTo(1_612_007_021u));
            Assert.That(contentSize, Is.EqualTo((ulong)expected[i].Bytes.Length));
            Assert.That(Zstd.Decompress(frames[i].Bytes, Compression.JetstreamZstdDictionaries.V1), Is.EqualTo(expected[i].Bytes), $"frame {i + 1}");
        }

        Assert.That(frames.Sum(f => f.Bytes.Length), Is.LessThan(expected.Sum(f => f.Bytes.Length) * 0.6), "the dictionary pays");
    }

    [Test]
    public async Task Subscribe_CompressTrueWithDeflateOffer_Is400OnCurrentOnly(CancellationToken token)
    {
        var deflate = new Dictionary<string, string> { ["Sec-WebSocket-Extensions"] = "permessage-deflate; client_max_window_bits" };
        await using var current = await EmulatorTest.StartAsync(new(), token);
        await using var legacy = await EmulatorTest.StartAsync(new() { Flavor = ServerFlavor.Legacy }, token);

        var rejection = await Handshake.RejectedAsync(current.Uri, "/subscribe?compress=true", token, deflate);
        var headerRejection = await Handshake.RejectedAsync(current.Uri, "/subscribe", token, new Dictionary<string, string>(deflate) { ["Socket-Encoding"] = "zstd" });
        using var accepted = await Handshake.AcceptedAsync(legacy.Uri, "/subscribe?compress=true", token, headers: deflate);

        Assert.That(rejection.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(rejection.Body, Does.StartWith("choose one compression scheme: "));
        Assert.That(headerRejection.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(accepted.State, Is.EqualTo(WebSocketState.Open));
        accepted.Abort();
    }

    [TestCase("compress=True")]
    [TestCase("compress=1")]
    public async Task Subscribe_CompressNotExactlyTrue_IsUncompressed(string query, CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events) }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?" + query, token);

        var frame = await client.ReceiveDataAsync(token);

        Assert.That(frame.Type, Is.EqualTo(WebSocketMessageType.Text));
    }

    [Test]
    public async Task Subscribe_MaxMessageSizeOnCurrent_SkipsLargerEventsByUncompressedSize(CancellationToken token)
    {
        var big = TestEvents.Post(new string('x', 5_000), rkey: "big");
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events[0], big, FilterFixture.Events[4]) }, token);
        int size;
        await using (var probe = await WireClient.ConnectAsync(server.Uri, "/subscribe", token))
        {
            size = (await probe.ReceiveDataAsync(3, token))[1].Bytes.Length;
        }

        var delivered = new Dictionary<string, List<string>>();
        foreach (var query in new[] { $"maxMessageSizeBytes={size}", $"maxMessageSizeBytes={size - 1}", $"maxMessageSizeBytes={size - 1}&compress=true", "maxMessageSizeBytes=-1", "maxMessageSizeBytes=lots" })
        {
            await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?" + query, token);
            var names = new List<string>();
            while (names.LastOrDefault() != "e")
            {
                var frame = await client.ReceiveDataAsync(token);
                var json = frame.Type == WebSocketMessageType.Binary ? WireClient.ParseStrict(Zstd.Decompress(frame.Bytes, Compression.JetstreamZstdDictionaries.V1)) : frame.Json;
                names.Add(FilterFixture.Name(json));
            }

            delivered[query] = names;
        }

        Assert.That(delivered[$"maxMessageSizeBytes={size}"], Is.EqualTo(new[] { "a", "big", "e" }), "a frame of exactly the limit passes");
        Assert.That(delivered[$"maxMessageSizeBytes={size - 1}"], Is.EqualTo(new[] { "a", "e" }));
        Assert.That(delivered[$"maxMessageSizeBytes={size - 1}&compress=true"], Is.EqualTo(new[] { "a", "e" }), "the newer server compares the uncompressed JSON");
        Assert.That(delivered["maxMessageSizeBytes=-1"], Is.EqualTo(new[] { "a", "big", "e" }), "negative means no limit");
        Assert.That(delivered["maxMessageSizeBytes=lots"], Is.EqualTo(new[] { "a", "big", "e" }), "malformed means no limit");
    }

    [Test]
    public async Task Subscribe_MaxMessageSizeOnLegacy_IsIgnored(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source(FilterFixture.Events), Flavor = ServerFlavor.Legacy }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?maxMessageSizeBytes=10", token);

        var frames = await client.ReceiveDataAsync(8, token);

        Assert.That(frames.Select(f => FilterFixture.Name(f.Json)), Is.EqualTo(new[] { "a", "b", "c", "d", "e", "f", "g", "h" }));
    }

    [Test]
    public async Task Subscribe_NotAnUpgrade_Is400(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(server.HttpUri, "/subscribe"), token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(token), Is.EqualTo("expected a WebSocket upgrade\n"));
    }
}
