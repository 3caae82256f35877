using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Testing.Tests.Emulator;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Testing.Archive;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Archive;

/// <summary>The emulator's archive endpoints on the wire, checked against the brief's worked examples for the golden segment.</summary>
[CancelAfter(30_000)]
public sealed class ArchiveEndpointsTests
{
    private const string Plan = "/xrpc/network.bsky.jetstream.planSnapshot";
    private const string Segment = "/xrpc/network.bsky.jetstream.getSegment";
    private const string Block = "/xrpc/network.bsky.jetstream.getBlock";
    private const string List = "/xrpc/network.bsky.jetstream.listSegments";

    private static byte[] Golden => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "archive", "golden_corpus_segment.jss"));

    private static async Task<(JetstreamTestServer Server, HttpClient Http)> StartAsync(CancellationToken token, JetstreamTestServerOptions? options = null)
    {
        var server = await EmulatorTest.StartAsync(options ?? new JetstreamTestServerOptions(), token);
        server.AddArchiveSegment(Golden);
        return (server, new HttpClient { BaseAddress = server.HttpUri, Timeout = WireClient.Deadline });
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> PostPlanAsync(HttpClient http, string body, CancellationToken token)
    {
        using var response = await http.PostAsync(Plan, new StringContent(body, Encoding.UTF8, "application/json"), token);
        return (response.StatusCode, JsonElement.Parse(await response.Content.ReadAsStringAsync(token)));
    }

    [TestCase("{}", "segment", null, 23L, 23L, 3)]
    [TestCase("""{"collections":["app.bsky.graph.follow"],"kinds":["commit"]}""", "blocks", "2-2", 23L, 23L, 1)]
    [TestCase("""{"collections":["app.bsky.feed.*"]}""", "segment", null, 23L, 23L, 3)]
    [TestCase("""{"afterSeq":8}""", "blocks", "1-2", 23L, 23L, 2)]
    [TestCase("""{"beforeSeq":10}""", "blocks", "0-1", 10L, 10L, 2)]
    [TestCase("""{"afterSeq":23}""", null, null, 23L, 23L, 0)]
    [TestCase("""{"dids":["did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"]}""", null, null, 23L, 23L, 0)]
    public async Task PlanSnapshot_GoldenSegment_MatchesTheServersWorkedExamples(string body, string? mode, string? ranges, long tip, long through, int blocksMatched, CancellationToken token)
    {
        var (server, http) = await StartAsync(token);
        await using var _ = server;
        using var __ = http;
        var (status, json) = await PostPlanAsync(http, body, token);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("sealedTipSeq").GetInt64(), Is.EqualTo(tip));
            Assert.That(json.GetProperty("plannedThroughSeq").GetInt64(), Is.EqualTo(through));
            Assert.That(json.GetProperty("stats").GetProperty("blocksMatched").GetInt32(), Is.EqualTo(blocksMatched));
            var segments = json.GetProperty("segments").EnumerateArray().ToList();
            Assert.That(segments, Has.Count.EqualTo(mode is null ? 0 : 1));
            if (mode is not null)
            {
                var s = segments[0];
                Assert.That(s.GetProperty("mode").GetString(), Is.EqualTo(mode));
                Assert.That(s.GetProperty("name").GetString(), Is.EqualTo("seg_0000000000.jss"));
                Assert.That(s.GetProperty("checksum").GetString(), Is.EqualTo("8ac51e3e2c8fb641"));
                Assert.That(
                    s.TryGetProperty("blocks", out var blocks) ? string.Join(",", blocks.EnumerateArray().Select(b => $"{b.GetProperty("first")}-{b.GetProperty("last")}")) : null,
                    Is.EqualTo(ranges));
            }
        });
    }

    [TestCase("", "invalid request body")]
    [TestCase("""{"kinds":["post"]}""", "invalid kind: post")]
    [TestCase("""{"afterSeq":-1}""", "afterSeq must be >= 0")]
    [TestCase("""{"afterSeq":5,"beforeSeq":5}""", "beforeSeq must be greater than afterSeq")]
    [TestCase("""{"collections":["app.*"]}""", "invalid collection wildcard: app.*")]
    [TestCase("""{"collections":["app.bsky.feed.post"],"kinds":["account"]}""", "collections filter can never apply: kinds excludes commit")]
    public async Task PlanSnapshot_InvalidBody_Is400InvalidRequestNamingTheProblem(string body, string message, CancellationToken token)
    {
        var (server, http) = await StartAsync(token);
        await using var _ = server;
        using var __ = http;
        var (status, json) = await PostPlanAsync(http, body, token);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("InvalidRequest"));
        Assert.That(json.GetProperty("message").GetString(), Is.EqualTo(message));
    }

    [Test]
    public async Task Endpoints_WrongMethod_Are405(CancellationToken token)
    {
        var (server, http) = await StartAsync(token);
        await using var _ = server;
        using var __ = http;
        using var get = await http.GetAsync(Plan, token);
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, Segment + "?name=seg_0000000000.jss"), token);
        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    [Test]
    public async Task GetSegment_WholeAndRanged_ServesTheFileWithItsETagAndRangeSemantics(CancellationToken token)
    {
        var (server, http) = await StartAsync(token);
        await using var _ = server;
        using var __ = http;
        using var whole = await http.GetAsync(Segment + "?name=seg_0000000000.jss", token);
        Assert.Multiple(async () =>
        {
            Assert.That(whole.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await whole.Content.ReadAsByteArrayAsync(token), Is.EqualTo(Golden));
            Assert.That(whole.Headers.ETag!.Tag, Is.EqualTo("\"8ac51e3e2c8fb641\""));
            Assert.That(whole.Headers.CacheControl!.ToString(), Is.EqualTo("public, no-cache"));
            Assert.That(whole.Headers.AcceptRanges, Does.Contain("bytes"));
        });

        var ranged = new HttpRequestMessage(HttpMethod.Get, Segment + "?name=seg_0000000000.jss");
        ranged.Headers.Range = new RangeHeaderValue(0, 255);
        using var part = await http.SendAsync(ranged, token);
        Assert.That(part.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(part.Content.Headers.ContentRange!.ToString(), Is.EqualTo("bytes 0-255/3634"));

        var stale = new HttpRequestMessage(HttpMethod.Get, Segment + "?name=seg_0000000000.jss");
        stale.Headers.Range = new RangeHeaderValue(0, 255);
        stale.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"0000000000000000\""));
        using var full = await http.SendAsync(stale, token);
        Assert.That(full.StatusCode, Is.EqualTo(HttpStatusCode.OK), "an If-Range that does not match gives the whole file");

        var beyond = new HttpRequestMessage(HttpMethod.Get, Segment + "?name=seg_0000000000.jss");
        beyond.Headers.Range = new RangeHeaderValue(5000, 6000);
        using var unsatisfiable = await http.SendAsync(beyond, token);
        Assert.That(unsatisfiable.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));

        var conditional = new HttpRequestMessage(HttpMethod.Get, Segment + "?name=seg_0000000000.jss");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"8ac51e3e2c8fb641\""));
        using var notModified = await http.SendAsync(conditional, token);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    [TestCase("", "InvalidRequest", HttpStatusCode.BadRequest)]
    [TestCase("?name=seg_000000000A.jss", "InvalidRequest", HttpStatusCode.BadRequest)]
    [TestCase("?name=seg_0000000001.jss", "SegmentNotFound", HttpStatusCode.NotFound)]
    public async Task GetSegment_BadOrUnknownName_IsTheServersError(string query, string error, HttpStatusCode status, CancellationToken token)
    {
        var (server, http) = await StartAsync(token);
        await using var _ = server;
        using var __ = http;
        using var response = await http.GetAsync(Segment + query, token);
        Assert.That(response.StatusCode, Is.EqualTo(status));
        Assert.That(JsonElement.Parse(await response.Content.ReadAsStringAsync(token)).GetProperty("error").GetString(), Is.EqualTo(error));
    }

    [Test]
    public async Task GetBlock_Index2_IsTheStoredFrameWithAPerBlockETag(CancellationToken token)
    {
        var (server, http) = await StartAsync(token);
        await using var _ = server;
        using var __ = http;
        using var response = await http.GetAsync(Block + "?segment=seg_0000000000.jss&blockIndex=2", token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.ETag!.Tag, Is.EqualTo("\"8ac51e3e2c8fb641:2\""));
        var block = JssSegmentReader.DecodeBlockFrame(await response.Content.ReadAsByteArrayAsync(token));
        Assert.That(block.Events.Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(17, 7).Select(i => (long)i)));

        using var outOfRange = await http.GetAsync(Block + "?segment=seg_0000000000.jss&blockIndex=3", token);
        Assert.That(JsonElement.Parse(await outOfRange.Content.ReadAsStringAsync(token)).GetProperty("error").GetString(), Is.EqualTo("BlockNotFound"));
        using var negative = await http.GetAsync(Block + "?segment=seg_0000000000.jss&blockIndex=-1", token);
        Assert.That(negative.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task ListSegments_Paging_CursorOnlyWhileMoreFollow(CancellationToken token)
    {
        var (server, http) = await StartAsync(token);
        await using var _ = server;
        using var __ = http;
        server.AddArchiveSegment(Golden);
        var first = JsonElement.Parse(await http.GetStringAsync(List + "?limit=1", token));
        Assert.That(first.GetProperty("cursor").GetString(), Is.EqualTo("1"));
        Assert.That(first.GetProperty("segments")[0].GetProperty("sizeBytes").GetInt64(), Is.EqualTo(3634));
        var second = JsonElement.Parse(await http.GetStringAsync(List + "?limit=1&cursor=1", token));
        Assert.That(second.TryGetProperty("cursor", out var _), Is.False);
        Assert.That(second.GetProperty("segments")[0].GetProperty("name").GetString(), Is.EqualTo("seg_0000000001.jss"));
    }

    [Test]
    public async Task Archive_ApiKeyConfigured_RejectsMissingKeyWith401AndAcceptsTheBearer(CancellationToken token)
    {
        var (server, http) = await StartAsync(token, new JetstreamTestServerOptions { ArchiveApiKey = "k-123" });
        await using var _ = server;
        using var __ = http;
        var (status, json) = await PostPlanAsync(http, "{}", token);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("AuthRequired"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", "k-123");
        var (ok, _) = await PostPlanAsync(http, "{}", token);
        Assert.That(ok, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Archive_NotReady_Is503ServiceUnavailable(CancellationToken token)
    {
        var (server, http) = await StartAsync(token);
        await using var _ = server;
        using var __ = http;
        server.ArchiveReady = false;
        var (status, json) = await PostPlanAsync(http, "{}", token);
        Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("ServiceUnavailable"));
    }

    [Test]
    public async Task SealArchive_PublishedEvents_BecomeASegmentWithTheirSeqs(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new JetstreamTestServerOptions { ArchiveEventsPerBlock = 4 }, token);
        server.Publish(File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "expected_v1.jsonl")).Where(l => l.Length > 0).Take(10).ToArray());
        Assert.That(server.SealArchive(), Is.EqualTo("seg_0000000000.jss"));
        Assert.That(server.SealArchive(), Is.Null, "nothing new to seal");
        using var reader = JssSegmentReader.Open(new MemoryStream(server.GetArchiveSegment("seg_0000000000.jss")!));
        Assert.That(reader.Blocks, Has.Count.EqualTo(3));
        Assert.That(reader.ReadEvents().Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long)i)));
        Assert.That(server.SealedTipSeq, Is.EqualTo(10));
    }
}
