using System.Text.Json;
using Jetstream.Reactive.Protocol;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Protocol;

/// <summary>The <c>/subscribe</c> URL and, for long filters, the <c>options_update</c> hello built from the options.</summary>
[TestFixture]
public sealed class SubscribeRequestTests
{
    [TestCase("wss://jetstream2.us-east.bsky.network", "wss://jetstream2.us-east.bsky.network/subscribe")]
    [TestCase("wss://jetstream2.us-east.bsky.network/", "wss://jetstream2.us-east.bsky.network/subscribe")]
    [TestCase("ws://localhost:6008", "ws://localhost:6008/subscribe")]
    [TestCase("ws://127.0.0.1:6008/", "ws://127.0.0.1:6008/subscribe")]
    [TestCase("wss://example.com/subscribe", "wss://example.com/subscribe")]
    [TestCase("wss://example.com/custom/path", "wss://example.com/custom/path")]
    [TestCase("wss://example.com:8443/jetstream/", "wss://example.com:8443/jetstream/")]
    public void BuildUri_NoFiltersNoCursor_UsesSubscribePathOnlyWhenPathIsEmpty(string endpoint, string expected)
    {
        var request = new SubscribeRequest(new JetstreamOptions { Endpoint = new Uri(endpoint) });

        var uri = request.BuildUri(null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(uri.AbsoluteUri, Is.EqualTo(expected));
            Assert.That(uri.Query, Is.Empty);
            Assert.That(request.DisplayEndpoint, Is.EqualTo(expected));
            Assert.That(request.RequireHello, Is.False);
            Assert.That(request.Hello, Is.Null);
        }
    }

    [Test]
    public void BuildUri_Filters_RepeatsKeysInOrderWithoutDuplicates()
    {
        var request = new SubscribeRequest(new JetstreamOptions
        {
            WantedCollections = ["app.bsky.feed.post", "app.bsky.graph.*", "app.bsky.feed.post"],
            WantedDids = ["did:plc:q6gjnaw2blty4crticxkmujt", "did:web:localhost%3A8080", "did:plc:q6gjnaw2blty4crticxkmujt"],
        });

        var query = QueryPairs(request.BuildUri(null));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(query, Is.EqualTo(new[]
            {
                ("wantedCollections", "app.bsky.feed.post"),
                ("wantedCollections", "app.bsky.graph.*"),
                ("wantedDids", "did:plc:q6gjnaw2blty4crticxkmujt"),
                ("wantedDids", "did:web:localhost%3A8080"),
            }));
            Assert.That(request.Collections, Is.EqualTo(new[] { "app.bsky.feed.post", "app.bsky.graph.*" }));
            Assert.That(request.Dids, Is.EqualTo(new[] { "did:plc:q6gjnaw2blty4crticxkmujt", "did:web:localhost%3A8080" }));
            Assert.That(request.RequireHello, Is.False);
            Assert.That(request.Hello, Is.Null);
        }
    }

    [Test]
    public void BuildUri_ValueWithPercent_EscapesIt()
    {
        var request = new SubscribeRequest(new JetstreamOptions { WantedDids = ["did:web:localhost%3A8080"] });

        var uri = request.BuildUri(null);

        // Unescaped, '%3A' would reach the server as ':' and name another DID.
        Assert.That(uri.AbsoluteUri, Does.EndWith("?wantedDids=did%3Aweb%3Alocalhost%253A8080"));
    }

    [Test]
    public void BuildUri_Cursor_AppendsCursorAfterFilters()
    {
        var request = new SubscribeRequest(new JetstreamOptions { WantedCollections = ["app.bsky.feed.like"] });

        var query = QueryPairs(request.BuildUri(1725516665234703));

        Assert.That(query, Is.EqualTo(new[] { ("wantedCollections", "app.bsky.feed.like"), ("cursor", "1725516665234703") }));
    }

    [Test]
    public void BuildUri_CursorWithoutFilters_IsTheOnlyParameter()
    {
        var request = new SubscribeRequest(new JetstreamOptions { Endpoint = new Uri("ws://localhost:6008") });

        var uri = request.BuildUri(0);

        Assert.That(uri.AbsoluteUri, Is.EqualTo("ws://localhost:6008/subscribe?cursor=0"));
    }

    [Test]
    public void BuildUri_DifferentCursors_KeepFiltersAndReplaceCursor()
    {
        var request = new SubscribeRequest(new JetstreamOptions { WantedDids = ["did:plc:a"] });

        var first = request.BuildUri(1);
        var second = request.BuildUri(2);
        var none = request.BuildUri(null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Query, Is.EqualTo("?wantedDids=did%3Aplc%3Aa&cursor=1"));
            Assert.That(second.Query, Is.EqualTo("?wantedDids=did%3Aplc%3Aa&cursor=2"));
            Assert.That(none.Query, Is.EqualTo("?wantedDids=did%3Aplc%3Aa"));
        }
    }

    [Test]
    public void Constructor_QueryOverMaxLength_MovesFiltersToHello()
    {
        var dids = Enumerable.Range(0, 10_000).Select(i => $"did:plc:{i:D24}").ToArray();
        var collections = new[] { "app.bsky.feed.post", "app.bsky.graph.*" };

        var request = new SubscribeRequest(new JetstreamOptions { WantedCollections = collections, WantedDids = dids });
        var uri = request.BuildUri(42);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.RequireHello, Is.True);
            Assert.That(QueryPairs(uri), Is.EqualTo(new[] { ("requireHello", "true"), ("cursor", "42") }));
            Assert.That(uri.AbsoluteUri, Does.Not.Contain("wantedDids").And.Not.Contain("wantedCollections"));
            Assert.That(uri.AbsoluteUri.Length, Is.LessThan(200));
            Assert.That(request.Hello, Is.Not.Null);
        }

        AssertOptionsUpdate(request.Hello!, collections, dids);
    }

    [Test]
    public void Constructor_QueryOverMaxLengthWithDuplicates_SendsEachValueOnce()
    {
        var dids = Enumerable.Range(0, 5_000).Select(i => $"did:plc:{i:D24}").ToArray();

        var request = new SubscribeRequest(new JetstreamOptions { WantedDids = [.. dids, .. dids] });

        Assert.That(request.RequireHello, Is.True);
        AssertOptionsUpdate(request.Hello!, [], dids);
    }

    [Test]
    public void Constructor_QueryExactlyMaxLength_KeepsFiltersInUri()
    {
        var dids = DidsWithQueryLength(SubscribeRequest.MaxQueryLength);

        var request = new SubscribeRequest(new JetstreamOptions { WantedDids = dids });
        var uri = request.BuildUri(null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(uri.Query, Has.Length.EqualTo(SubscribeRequest.MaxQueryLength + 1), "the query with its '?'");
            Assert.That(request.RequireHello, Is.False);
            Assert.That(request.Hello, Is.Null);
            Assert.That(QueryPairs(uri).Select(p => p.Value), Is.EqualTo(dids));
        }
    }

    [Test]
    public void Constructor_QueryOneOverMaxLength_RequiresHello()
    {
        var dids = DidsWithQueryLength(SubscribeRequest.MaxQueryLength + 1);

        var request = new SubscribeRequest(new JetstreamOptions { WantedDids = dids });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.RequireHello, Is.True);
            Assert.That(request.BuildUri(null).Query, Is.EqualTo("?requireHello=true"));
        }

        AssertOptionsUpdate(request.Hello!, [], dids);
    }

    [Test]
    public void Constructor_SpecialCharactersInHello_AreValidJson()
    {
        // Values are validated before they get here, but the hello must stay valid JSON whatever it is given.
        var dids = Enumerable.Range(0, 400).Select(i => $"did:web:h{i}.example%3A{i}\"\\\u00e9").ToArray();

        var request = new SubscribeRequest(new JetstreamOptions { WantedDids = dids });

        Assert.That(request.RequireHello, Is.True);
        AssertOptionsUpdate(request.Hello!, [], dids);
    }

    [TestCase("wss://jetstream.us-east.bsky.network", "wss://jetstream.us-east.bsky.network/xrpc/network.bsky.jetstream.subscribeEvents")]
    [TestCase("ws://127.0.0.1:8080/", "ws://127.0.0.1:8080/xrpc/network.bsky.jetstream.subscribeEvents")]
    [TestCase("wss://example.com/xrpc/network.bsky.jetstream.subscribeEvents", "wss://example.com/xrpc/network.bsky.jetstream.subscribeEvents")]
    public void BuildUri_V2_UsesTheSubscribeEventsPathWhenThePathIsEmpty(string endpoint, string expected)
    {
        var request = new SubscribeRequest(new JetstreamOptions { Protocol = JetstreamProtocol.V2, Endpoint = new Uri(endpoint) });

        Assert.That(request.BuildUri(null).AbsoluteUri, Is.EqualTo(expected));
        Assert.That(request.SubProtocols, Is.EqualTo(new[] { "xrpc.v1.json" }));
    }

    [Test]
    public void Constructor_V2WithTheDefaultEndpoint_ConnectsToTheV2Host()
    {
        var request = new SubscribeRequest(new JetstreamOptions { Protocol = JetstreamProtocol.V2 });

        Assert.That(request.DisplayEndpoint, Is.EqualTo("wss://jetstream.us-east.bsky.network/xrpc/network.bsky.jetstream.subscribeEvents"));
    }

    [Test]
    public void BuildUri_V2_KindsCollectionsDidsSizeDictionaryThenCursorAndNoV1Names()
    {
        var dids = Enumerable.Range(0, 2_000).Select(i => $"did:plc:{i:D24}").ToArray();
        var request = new SubscribeRequest(new JetstreamOptions
        {
            Protocol = JetstreamProtocol.V2,
            Kinds = [JetstreamEventKind.Sync, JetstreamEventKind.Commit, JetstreamEventKind.Sync],
            WantedCollections = ["app.bsky.feed.post"],
            WantedDids = dids,
            ServerMaxMessageSize = 5000,
        });

        var query = QueryPairs(request.BuildUri(9, 20260811));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(query.Take(3), Is.EqualTo(new[] { ("kinds", "sync"), ("kinds", "commit"), ("collections", "app.bsky.feed.post") }));
            Assert.That(query.Where(p => p.Key == "dids").Select(p => p.Value), Is.EqualTo(dids), "v2 has no hello: every DID goes in the URL");
            Assert.That(query.TakeLast(3), Is.EqualTo(new[] { ("maxMessageSizeBytes", "5000"), ("zstdDictionary", "20260811"), ("cursor", "9") }));
            Assert.That(query.Select(p => p.Key), Has.None.AnyOf("wantedDids", "wantedCollections", "requireHello", "compress"));
            Assert.That(request.Hello, Is.Null);
        }
    }

    [Test]
    public void BuildUri_V1WithServerMaxSizeAndCompression_SendsBothBeforeTheCursorAndIgnoresADictionary()
    {
        var request = new SubscribeRequest(new JetstreamOptions { ServerMaxMessageSize = 1000, Compression = JetstreamCompression.Zstd });

        Assert.That(request.BuildUri(5, 20260811).Query, Is.EqualTo("?maxMessageSizeBytes=1000&compress=true&cursor=5"));
    }

    [Test]
    public void Constructor_V1HelloWithServerMaxSize_CarriesItInThePayload()
    {
        var dids = Enumerable.Range(0, 1_000).Select(i => $"did:plc:{i:D24}").ToArray();

        var request = new SubscribeRequest(new JetstreamOptions { WantedDids = dids, ServerMaxMessageSize = 1000 });

        using var document = JsonDocument.Parse(request.Hello!);
        Assert.That(document.RootElement.GetProperty("payload").GetProperty("maxMessageSizeBytes").GetInt32(), Is.EqualTo(1000));
        Assert.That(request.BuildUri(null).Query, Is.EqualTo("?requireHello=true&maxMessageSizeBytes=1000"));
    }

    [TestCase("wss://jetstream.us-east.bsky.network", null, "https://jetstream.us-east.bsky.network/xrpc/network.bsky.jetstream.getZstdDictionary")]
    [TestCase("ws://127.0.0.1:8080", 20260811u, "http://127.0.0.1:8080/xrpc/network.bsky.jetstream.getZstdDictionary?id=20260811")]
    [TestCase("wss://example.com/jetstream/xrpc/network.bsky.jetstream.subscribeEvents", null, "https://example.com/jetstream/xrpc/network.bsky.jetstream.getZstdDictionary")]
    [TestCase("wss://example.com/custom", 7u, "https://example.com/xrpc/network.bsky.jetstream.getZstdDictionary?id=7")]
    public void DictionaryUri_SameHostHttpSchemeNextToTheSubscribePath(string endpoint, uint? id, string expected)
    {
        var request = new SubscribeRequest(new JetstreamOptions { Protocol = JetstreamProtocol.V2, Endpoint = new Uri(endpoint) });

        Assert.That(request.DictionaryUri(id).AbsoluteUri, Is.EqualTo(expected));
    }

    /// <summary>DIDs whose <c>wantedDids=…&amp;…</c> query is exactly <paramref name="length"/> characters.</summary>
    private static string[] DidsWithQueryLength(int length)
    {
        // Each pair is "wantedDids=did%3Aplc%3A" (23 characters) plus the identifier, joined by '&'.
        const int PairOverhead = 23;
        const int Count = 8;
        var idLength = ((length - (Count - 1)) / Count) - PairOverhead;
        var dids = Enumerable.Range(0, Count).Select(i => $"did:plc:{(char)('a' + i)}{new string('x', idLength - 1)}").ToArray();
        var rest = length - ((Count * (PairOverhead + idLength)) + (Count - 1));
        dids[^1] += new string('y', rest);
        return dids;
    }

    private static (string Key, string Value)[] QueryPairs(Uri uri) =>
        uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => (Uri.UnescapeDataString(kv[0]), Uri.UnescapeDataString(kv[1])))
            .ToArray();

    private static void AssertOptionsUpdate(byte[] hello, string[] collections, string[] dids)
    {
        using var document = JsonDocument.Parse(hello);
        var root = document.RootElement;
        var payload = root.GetProperty("payload");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "type", "payload" }));
            Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("options_update"));
            Assert.That(payload.GetProperty("wantedCollections").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(collections));
            Assert.That(payload.GetProperty("wantedDids").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(dids));
        }
    }
}
