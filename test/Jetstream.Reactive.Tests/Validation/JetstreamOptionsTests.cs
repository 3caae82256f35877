using System.Net.WebSockets;
using System.Reactive.Concurrency;
using Jetstream.Reactive.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Validation;

/// <summary>Defaults, and the one exception <see cref="JetstreamOptions.Validate"/> throws for every kind of bad value.</summary>
[TestFixture]
[SetCulture("en-US")]
public sealed class JetstreamOptionsTests
{
    private const string ValidDid = "did:plc:q6gjnaw2blty4crticxkmujt";

    [Test]
    public void Constructor_Defaults_AreDocumentedValues()
    {
        var options = new JetstreamOptions();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Endpoint, Is.EqualTo(new Uri("wss://jetstream2.us-east.bsky.network")));
            Assert.That(JetstreamOptions.DefaultEndpoint, Is.EqualTo(new Uri("wss://jetstream2.us-east.bsky.network")));
            Assert.That(options.WantedCollections, Is.Empty);
            Assert.That(options.WantedDids, Is.Empty);
            Assert.That(options.Cursor, Is.Null);
            Assert.That(options.BufferCapacity, Is.EqualTo(10_000));
            Assert.That(options.IdleTimeout, Is.Null, "automatic: 60 s unfiltered, none filtered");
            Assert.That(JetstreamOptions.DefaultIdleTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(options.KeepAliveInterval, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(options.KeepAliveTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.CursorClockTolerance, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(options.MaxMessageSize, Is.EqualTo(32 * 1024 * 1024));
            Assert.That(options.Compression, Is.EqualTo(JetstreamCompression.None));
            Assert.That(options.Protocol, Is.EqualTo(JetstreamProtocol.V1));
            Assert.That(JetstreamOptions.DefaultV2Endpoint, Is.EqualTo(new Uri("wss://jetstream.us-east.bsky.network")));
            Assert.That(options.Kinds, Is.Empty);
            Assert.That(options.OnCursorTooOld, Is.EqualTo(JetstreamCursorTooOldBehavior.Fail));
            Assert.That(options.ServerMaxMessageSize, Is.Null);
            Assert.That(options.ZstdDictionaryDirectory, Is.Null);
            Assert.That(options.DictionarySource, Is.SameAs(ClientWebSocketTransport.Default));
            Assert.That(options.FilterUpdates, Is.Null);
            Assert.That(options.Endpoints, Is.Empty);
            Assert.That(options.FailoverAfterAttempts, Is.EqualTo(3));
            Assert.That(options.FailoverRewind, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.FailoverDedupeCapacity, Is.EqualTo(100_000));
            Assert.That(options.Backoff, Is.SameAs(BackoffPolicy.Default));
            Assert.That(options.Backoff.InitialDelay, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(options.Backoff.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.Backoff.Multiplier, Is.EqualTo(2.0));
            Assert.That(options.Backoff.Jitter, Is.EqualTo(0.2));
            Assert.That((object?)options.Backoff.Randomizer, Is.Null);
            Assert.That(options.Scheduler, Is.SameAs(DefaultScheduler.Instance));
            Assert.That(options.LoggerFactory, Is.SameAs(NullLoggerFactory.Instance));
            Assert.That(options.MeterFactory, Is.Null);
            Assert.That(options.Transport, Is.SameAs(ClientWebSocketTransport.Default));
            Assert.That(JetstreamOptions.MaxWantedCollections, Is.EqualTo(100));
            Assert.That(JetstreamOptions.MaxWantedDids, Is.EqualTo(10_000));
        }
    }

    [Test]
    public void Validate_Defaults_DoesNotThrow()
    {
        Assert.That(new JetstreamOptions().Validate, Throws.Nothing);
    }

    private static IEnumerable<TestCaseData> ValidOptions()
    {
        static TestCaseData Case(string name, JetstreamOptions options) => new TestCaseData(options).SetArgDisplayNames(name);

        yield return Case("ws with port", new JetstreamOptions { Endpoint = new Uri("ws://localhost:6008") });
        yield return Case("wss with path", new JetstreamOptions { Endpoint = new Uri("wss://example.com/custom/subscribe") });
        yield return Case("prefix and full NSID", new JetstreamOptions { WantedCollections = ["app.bsky.graph.*", "app.bsky.feed.post"] });
        yield return Case("hyphenated NSID", new JetstreamOptions { WantedCollections = ["place.stream.broadcast.origin", "org.hyper-certs.claim.activity", "fm.teal.alpha.actor.status"] });
        yield return Case("150 values, 100 distinct", new JetstreamOptions { WantedCollections = [.. Collections(100), .. Collections(50)] });
        yield return Case("100 distinct collections", new JetstreamOptions { WantedCollections = Collections(100) });
        yield return Case("plc and web DIDs", new JetstreamOptions { WantedDids = [ValidDid, "did:web:example.com", "did:web:localhost%3A8080"] });
        yield return Case("10,000 distinct DIDs", new JetstreamOptions { WantedDids = Dids(10_000) });
        yield return Case("20,000 DIDs, 10,000 distinct", new JetstreamOptions { WantedDids = [.. Dids(10_000), .. Dids(10_000)] });
        yield return Case("cursor 0", new JetstreamOptions { Cursor = 0 });
        yield return Case("cursor large", new JetstreamOptions { Cursor = long.MaxValue });
        yield return Case("buffer 1", new JetstreamOptions { BufferCapacity = 1 });
        yield return Case("buffer 10,000,000", new JetstreamOptions { BufferCapacity = 10_000_000 });
        yield return Case("idle 1 s", new JetstreamOptions { IdleTimeout = TimeSpan.FromSeconds(1) });
        yield return Case("idle 1 day", new JetstreamOptions { IdleTimeout = TimeSpan.FromDays(1) });
        yield return Case("idle infinite", new JetstreamOptions { IdleTimeout = Timeout.InfiniteTimeSpan });
        yield return Case("message 1 KiB", new JetstreamOptions { MaxMessageSize = 1024 });
        yield return Case("message 1 GiB", new JetstreamOptions { MaxMessageSize = 1024 * 1024 * 1024 });
        yield return Case("backoff equal delays", new JetstreamOptions { Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(1), Multiplier = 1, Jitter = 0 } });
        yield return Case("zstd", new JetstreamOptions { Compression = JetstreamCompression.Zstd });
        yield return Case("v2 defaults", new JetstreamOptions { Protocol = JetstreamProtocol.V2 });
        yield return Case("v2 everything", new JetstreamOptions
        {
            Protocol = JetstreamProtocol.V2,
            Endpoint = new Uri("wss://example.com/xrpc/network.bsky.jetstream.subscribeEvents"),
            Kinds = [JetstreamEventKind.Commit, JetstreamEventKind.Identity, JetstreamEventKind.Account, JetstreamEventKind.Sync],
            WantedCollections = ["app.bsky.*", "app.bsky.feed.post"],
            OnCursorTooOld = JetstreamCursorTooOldBehavior.RestartFromLive,
            Compression = JetstreamCompression.Zstd,
            ZstdDictionaryDirectory = "dictionaries",
            ServerMaxMessageSize = 1,
        });
        yield return Case("v2 kinds without commit and no collections", new JetstreamOptions { Protocol = JetstreamProtocol.V2, Kinds = [JetstreamEventKind.Identity] });
        yield return Case("v1 server max size", new JetstreamOptions { ServerMaxMessageSize = int.MaxValue });
        yield return Case("endpoints", new JetstreamOptions { Endpoints = [new Uri("wss://jetstream1.us-east.bsky.network"), new Uri("wss://jetstream2.us-east.bsky.network")] });
        yield return Case("endpoints v2", new JetstreamOptions { Protocol = JetstreamProtocol.V2, Endpoints = [new Uri("wss://jetstream.us-east.bsky.network"), new Uri("wss://jetstream.us-west.bsky.network")] });
        yield return Case("failover extremes low", new JetstreamOptions { FailoverAfterAttempts = 1, FailoverRewind = TimeSpan.Zero, FailoverDedupeCapacity = 1 });
        yield return Case("failover extremes high", new JetstreamOptions { FailoverAfterAttempts = 1_000, FailoverRewind = TimeSpan.FromDays(1), FailoverDedupeCapacity = 10_000_000 });
        yield return Case("v1 prefix with one segment", new JetstreamOptions { WantedCollections = ["app.*"] });
        yield return Case("backoff extremes", new JetstreamOptions { Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromDays(1), Multiplier = 100, Jitter = 1 } });
    }

    [TestCaseSource(nameof(ValidOptions))]
    public void Validate_AllowedValue_DoesNotThrow(JetstreamOptions options)
    {
        Assert.That(options.Validate, Throws.Nothing);
    }

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        // Each case: the options, then fragments the one message must contain — the option's name, the bad value
        // and what is allowed.
        static TestCaseData Case(string name, JetstreamOptions options, params string[] fragments) =>
            new TestCaseData(options, fragments).SetArgDisplayNames(name);

        yield return Case("endpoint null", new JetstreamOptions { Endpoint = null! }, "JetstreamOptions.Endpoint", "is null", "ws:// or wss://");
        yield return Case("endpoint relative", new JetstreamOptions { Endpoint = new Uri("/subscribe", UriKind.Relative) }, "JetstreamOptions.Endpoint", "'/subscribe'", "absolute ws:// or wss://");
        yield return Case("endpoint http", new JetstreamOptions { Endpoint = new Uri("http://example.com/subscribe") }, "JetstreamOptions.Endpoint", "'http://example.com/subscribe'", "'http'", "only ws and wss");
        yield return Case("endpoint https", new JetstreamOptions { Endpoint = new Uri("https://example.com") }, "JetstreamOptions.Endpoint", "'https'", "only ws and wss");
        yield return Case("endpoint with query", new JetstreamOptions { Endpoint = new Uri("wss://example.com/subscribe?wantedDids=did:plc:a") }, "JetstreamOptions.Endpoint", "?wantedDids=did:plc:a", "must not have a query or fragment", "as options");
        yield return Case("endpoint with fragment", new JetstreamOptions { Endpoint = new Uri("wss://example.com/subscribe#top") }, "JetstreamOptions.Endpoint", "#top", "must not have a query or fragment");

        yield return Case("collections null", new JetstreamOptions { WantedCollections = null! }, "JetstreamOptions.WantedCollections", "is null", "empty list");
        yield return Case("collection empty", new JetstreamOptions { WantedCollections = [""] }, "JetstreamOptions.WantedCollections[0]", "is ''", "full NSID", "prefix ending in '.*'");
        yield return Case("collection star", new JetstreamOptions { WantedCollections = ["app.bsky.feed.post", "*"] }, "JetstreamOptions.WantedCollections[1]", "is '*'", "no bare '*'");
        yield return Case("collection glob", new JetstreamOptions { WantedCollections = ["app.bsky.feed.fo*"] }, "JetstreamOptions.WantedCollections[0]", "'app.bsky.feed.fo*'", "full NSID");
        yield return Case("collection one segment", new JetstreamOptions { WantedCollections = ["app"] }, "JetstreamOptions.WantedCollections[0]", "'app'", "full NSID");
        yield return Case("collection two segments", new JetstreamOptions { WantedCollections = ["bsky.app"] }, "JetstreamOptions.WantedCollections[0]", "'bsky.app'");
        yield return Case("collection empty segment", new JetstreamOptions { WantedCollections = ["app..feed.post"] }, "JetstreamOptions.WantedCollections[0]", "'app..feed.post'");
        yield return Case("collection bare prefix star", new JetstreamOptions { WantedCollections = [".*"] }, "JetstreamOptions.WantedCollections[0]", "'.*'");
        yield return Case("collection null element", new JetstreamOptions { WantedCollections = ["app.bsky.feed.post", null!] }, "JetstreamOptions.WantedCollections[1]", "(null)");
        yield return Case("collection very long", new JetstreamOptions { WantedCollections = ["app.bsky." + new string('x', 400)] }, "JetstreamOptions.WantedCollections[0]", "'app.bsky.xxx", "…'");
        yield return Case("101 distinct collections", new JetstreamOptions { WantedCollections = Collections(101) }, "JetstreamOptions.WantedCollections", "101 distinct values", "at most 100");

        yield return Case("dids null", new JetstreamOptions { WantedDids = null! }, "JetstreamOptions.WantedDids", "is null", "empty list");
        yield return Case("did not a DID", new JetstreamOptions { WantedDids = ["alice.bsky.social"] }, "JetstreamOptions.WantedDids[0]", "'alice.bsky.social'", "must be a DID", "did:plc:");
        yield return Case("did upper-case method", new JetstreamOptions { WantedDids = [ValidDid, "did:PLC:x"] }, "JetstreamOptions.WantedDids[1]", "'did:PLC:x'", "must be a DID");
        yield return Case("did no identifier", new JetstreamOptions { WantedDids = ["did:plc:"] }, "JetstreamOptions.WantedDids[0]", "'did:plc:'");
        yield return Case("did with space", new JetstreamOptions { WantedDids = ["did:plc:a b"] }, "JetstreamOptions.WantedDids[0]", "'did:plc:a b'");
        yield return Case("did null element", new JetstreamOptions { WantedDids = [null!] }, "JetstreamOptions.WantedDids[0]", "(null)");
        yield return Case("10,001 distinct DIDs", new JetstreamOptions { WantedDids = Dids(10_001) }, "JetstreamOptions.WantedDids", "10001 distinct values", "at most 10,000");

        yield return Case("cursor negative", new JetstreamOptions { Cursor = -1 }, "JetstreamOptions.Cursor", "is -1", "0 or more");
        yield return Case("buffer 0", new JetstreamOptions { BufferCapacity = 0 }, "JetstreamOptions.BufferCapacity", "is 0", "between 1 and 10,000,000");
        yield return Case("buffer negative", new JetstreamOptions { BufferCapacity = -5 }, "JetstreamOptions.BufferCapacity", "is -5", "between 1 and 10,000,000");
        yield return Case("buffer 10,000,001", new JetstreamOptions { BufferCapacity = 10_000_001 }, "JetstreamOptions.BufferCapacity", "is 10000001", "between 1 and 10,000,000");
        yield return Case("idle 0", new JetstreamOptions { IdleTimeout = TimeSpan.Zero }, "JetstreamOptions.IdleTimeout", "is 00:00:00", "between 1 s and 1 day", "InfiniteTimeSpan");
        yield return Case("idle 500 ms", new JetstreamOptions { IdleTimeout = TimeSpan.FromMilliseconds(500) }, "JetstreamOptions.IdleTimeout", "is 00:00:00.5", "between 1 s and 1 day");
        yield return Case("idle 2 days", new JetstreamOptions { IdleTimeout = TimeSpan.FromDays(2) }, "JetstreamOptions.IdleTimeout", "is 2.00:00:00", "between 1 s and 1 day");
        yield return Case("idle negative", new JetstreamOptions { IdleTimeout = TimeSpan.FromSeconds(-5) }, "JetstreamOptions.IdleTimeout", "is -00:00:05", "between 1 s and 1 day");
        yield return Case("message 100", new JetstreamOptions { MaxMessageSize = 100 }, "JetstreamOptions.MaxMessageSize", "is 100", "between 1,024 and 1,073,741,824 bytes");
        yield return Case("message 1 GiB + 1", new JetstreamOptions { MaxMessageSize = (1024 * 1024 * 1024) + 1 }, "JetstreamOptions.MaxMessageSize", "is 1073741825", "1,073,741,824");

        yield return Case("backoff null", new JetstreamOptions { Backoff = null! }, "JetstreamOptions.Backoff", "is null", "BackoffPolicy.Default");
        yield return Case("backoff initial 0", WithBackoff(b => b with { InitialDelay = TimeSpan.Zero }), "JetstreamOptions.Backoff.InitialDelay", "is 00:00:00", "at least 1 ms");
        yield return Case("backoff initial > max", WithBackoff(b => b with { InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(5) }), "JetstreamOptions.Backoff.InitialDelay", "is 00:00:10", "at most JetstreamOptions.Backoff.MaxDelay (00:00:05)");
        yield return Case("backoff max 2 days", WithBackoff(b => b with { MaxDelay = TimeSpan.FromDays(2) }), "JetstreamOptions.Backoff.MaxDelay", "is 2.00:00:00", "at most 1 day");
        yield return Case("backoff multiplier 0.5", WithBackoff(b => b with { Multiplier = 0.5 }), "JetstreamOptions.Backoff.Multiplier", "is 0.5", "between 1 and 100");
        yield return Case("backoff multiplier 101", WithBackoff(b => b with { Multiplier = 101 }), "JetstreamOptions.Backoff.Multiplier", "is 101", "between 1 and 100");
        yield return Case("backoff multiplier NaN", WithBackoff(b => b with { Multiplier = double.NaN }), "JetstreamOptions.Backoff.Multiplier", "is NaN", "between 1 and 100");
        yield return Case("backoff multiplier infinite", WithBackoff(b => b with { Multiplier = double.PositiveInfinity }), "JetstreamOptions.Backoff.Multiplier", "between 1 and 100");
        yield return Case("backoff jitter 1.5", WithBackoff(b => b with { Jitter = 1.5 }), "JetstreamOptions.Backoff.Jitter", "is 1.5", "between 0 and 1");
        yield return Case("backoff jitter negative", WithBackoff(b => b with { Jitter = -0.1 }), "JetstreamOptions.Backoff.Jitter", "is -0.1", "between 0 and 1");
        yield return Case("backoff jitter NaN", WithBackoff(b => b with { Jitter = double.NaN }), "JetstreamOptions.Backoff.Jitter", "is NaN", "between 0 and 1");

        yield return Case("protocol undefined", new JetstreamOptions { Protocol = (JetstreamProtocol)3 }, "JetstreamOptions.Protocol", "is 3", "JetstreamProtocol.V1 or JetstreamProtocol.V2");
        yield return Case("v1 with kinds", new JetstreamOptions { Kinds = [JetstreamEventKind.Commit] }, "JetstreamOptions.Kinds", "[Commit]", "only protocol V2", "Protocol = JetstreamProtocol.V2");
        yield return Case("v1 with cursor restart", new JetstreamOptions { OnCursorTooOld = JetstreamCursorTooOldBehavior.RestartFromLive }, "JetstreamOptions.OnCursorTooOld", "RestartFromLive", "only protocol V2");
        yield return Case("v1 with dictionary directory", new JetstreamOptions { ZstdDictionaryDirectory = "cache" }, "JetstreamOptions.ZstdDictionaryDirectory", "'cache'", "only protocol V2");
        yield return Case("v1 with v2 path", new JetstreamOptions { Endpoint = new Uri("wss://example.com/xrpc/network.bsky.jetstream.subscribeEvents") }, "JetstreamOptions.Endpoint", "protocol V2's", "Protocol = JetstreamProtocol.V2");
        yield return Case("v2 with v1 path", new JetstreamOptions { Protocol = JetstreamProtocol.V2, Endpoint = new Uri("wss://example.com/subscribe") }, "JetstreamOptions.Endpoint", "'/subscribe'", "protocol V1's", "/xrpc/network.bsky.jetstream.subscribeEvents");
        yield return Case("v2 prefix with one segment", new JetstreamOptions { Protocol = JetstreamProtocol.V2, WantedCollections = ["app.*"] }, "JetstreamOptions.WantedCollections[0]", "'app.*'", "protocol V2", "at least two segments");
        yield return Case("v2 kind undefined", new JetstreamOptions { Protocol = JetstreamProtocol.V2, Kinds = [(JetstreamEventKind)9] }, "JetstreamOptions.Kinds[0]", "is 9", "Commit, Identity, Account or Sync");
        yield return Case("v2 collections without commit kind", new JetstreamOptions { Protocol = JetstreamProtocol.V2, Kinds = [JetstreamEventKind.Account], WantedCollections = ["app.bsky.feed.post"] }, "JetstreamOptions.Kinds", "[Account]", "WantedCollections", "must include Commit");
        yield return Case("kinds null", new JetstreamOptions { Protocol = JetstreamProtocol.V2, Kinds = null! }, "JetstreamOptions.Kinds", "is null");
        yield return Case("cursor too old undefined", new JetstreamOptions { Protocol = JetstreamProtocol.V2, OnCursorTooOld = (JetstreamCursorTooOldBehavior)5 }, "JetstreamOptions.OnCursorTooOld", "is 5", "Fail or JetstreamCursorTooOldBehavior.RestartFromLive");
        yield return Case("server max size 0", new JetstreamOptions { ServerMaxMessageSize = 0 }, "JetstreamOptions.ServerMaxMessageSize", "is 0", "between 1 and 2,147,483,647", "null");
        yield return Case("v2 dictionary directory blank", new JetstreamOptions { Protocol = JetstreamProtocol.V2, ZstdDictionaryDirectory = " " }, "JetstreamOptions.ZstdDictionaryDirectory", "must be a directory path");
        yield return Case("dictionary source null", new JetstreamOptions { DictionarySource = null! }, "JetstreamOptions.DictionarySource", "is null", "ClientWebSocketTransport.Default");
        yield return Case("endpoints null", new JetstreamOptions { Endpoints = null! }, "JetstreamOptions.Endpoints", "is null", "empty list");
        yield return Case("endpoint and endpoints", new JetstreamOptions { Endpoint = new Uri("wss://a.example"), Endpoints = [new Uri("wss://b.example")] }, "JetstreamOptions.Endpoint", "'wss://a.example/'", "while Endpoints is set", "one or the other");
        yield return Case("endpoints http", new JetstreamOptions { Endpoints = [new Uri("wss://a.example"), new Uri("http://b.example")] }, "JetstreamOptions.Endpoints[1]", "'http'", "only ws and wss");
        yield return Case("endpoints null element", new JetstreamOptions { Endpoints = [null!] }, "JetstreamOptions.Endpoints[0]", "is null");
        yield return Case("endpoints duplicate", new JetstreamOptions { Endpoints = [new Uri("wss://a.example"), new Uri("wss://b.example"), new Uri("wss://a.example/")] }, "JetstreamOptions.Endpoints[2]", "same server as Endpoints[0]");
        yield return Case("endpoints v1 path on v2", new JetstreamOptions { Protocol = JetstreamProtocol.V2, Endpoints = [new Uri("wss://a.example/subscribe")] }, "JetstreamOptions.Endpoints[0]", "protocol V1's");
        yield return Case("endpoints too many", new JetstreamOptions { Endpoints = Enumerable.Range(0, 101).Select(i => new Uri($"wss://h{i}.example")).ToArray() }, "JetstreamOptions.Endpoints", "101 servers", "at most 100");
        yield return Case("failover attempts 0", new JetstreamOptions { FailoverAfterAttempts = 0 }, "JetstreamOptions.FailoverAfterAttempts", "is 0", "between 1 and 1,000");
        yield return Case("failover rewind negative", new JetstreamOptions { FailoverRewind = TimeSpan.FromSeconds(-1) }, "JetstreamOptions.FailoverRewind", "is -00:00:01", "between 0 and 1 day");
        yield return Case("failover rewind 2 days", new JetstreamOptions { FailoverRewind = TimeSpan.FromDays(2) }, "JetstreamOptions.FailoverRewind", "is 2.00:00:00", "between 0 and 1 day");
        yield return Case("failover dedupe 0", new JetstreamOptions { FailoverDedupeCapacity = 0 }, "JetstreamOptions.FailoverDedupeCapacity", "is 0", "between 1 and 10,000,000");
        yield return Case("compression undefined", new JetstreamOptions { Compression = (JetstreamCompression)7 }, "JetstreamOptions.Compression", "is 7", "JetstreamCompression.None or JetstreamCompression.Zstd");
        yield return Case("scheduler null", new JetstreamOptions { Scheduler = null! }, "JetstreamOptions.Scheduler", "is null", "DefaultScheduler.Instance");
        yield return Case("logger factory null", new JetstreamOptions { LoggerFactory = null! }, "JetstreamOptions.LoggerFactory", "is null", "NullLoggerFactory.Instance");
        yield return Case("transport null", new JetstreamOptions { Transport = null! }, "JetstreamOptions.Transport", "is null", "ClientWebSocketTransport.Default");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Validate_InvalidValue_ThrowsNamingOptionValueAndAllowedRange(JetstreamOptions options, string[] fragments)
    {
        var ex = Assert.Throws<JetstreamOptionsException>(options.Validate);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Errors, Has.Count.EqualTo(1));
            Assert.That(ex.Message, Is.EqualTo(ex.Errors[0]));
            foreach (var fragment in fragments)
            {
                Assert.That(ex.Message, Does.Contain(fragment));
            }
        }
    }

    [Test]
    public void Validate_EndpointWithUserInfo_ThrowsWithoutEchoingCredentials()
    {
        var options = new JetstreamOptions { Endpoint = new Uri("wss://alice:hunter2@example.com/subscribe") };

        var ex = Assert.Throws<JetstreamOptionsException>(options.Validate);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain("JetstreamOptions.Endpoint").And.Contain("user"));
            Assert.That(ex.Message, Does.Not.Contain("hunter2"));
        }
    }

    [Test]
    public void Validate_SeveralProblems_ThrowsOneExceptionListingEach()
    {
        var options = new JetstreamOptions
        {
            Endpoint = new Uri("http://example.com"),
            WantedCollections = ["*"],
            WantedDids = ["nobody"],
            Cursor = -1,
            BufferCapacity = 0,
            IdleTimeout = TimeSpan.Zero,
            MaxMessageSize = 100,
            Backoff = new BackoffPolicy { Jitter = 2 },
            Transport = null!,
        };

        var ex = Assert.Throws<JetstreamOptionsException>(options.Validate);

        Assert.That(ex.Errors, Has.Count.EqualTo(9));
        using (Assert.EnterMultipleScope())
        {
            // In option order.
            Assert.That(ex.Errors[0], Does.StartWith("JetstreamOptions.Endpoint "));
            Assert.That(ex.Errors[1], Does.StartWith("JetstreamOptions.WantedCollections[0] "));
            Assert.That(ex.Errors[2], Does.StartWith("JetstreamOptions.WantedDids[0] "));
            Assert.That(ex.Errors[3], Does.StartWith("JetstreamOptions.Cursor "));
            Assert.That(ex.Errors[4], Does.StartWith("JetstreamOptions.BufferCapacity "));
            Assert.That(ex.Errors[5], Does.StartWith("JetstreamOptions.Backoff.Jitter "));
            Assert.That(ex.Errors[6], Does.StartWith("JetstreamOptions.IdleTimeout "));
            Assert.That(ex.Errors[7], Does.StartWith("JetstreamOptions.MaxMessageSize "));
            Assert.That(ex.Errors[8], Does.StartWith("JetstreamOptions.Transport "));
            Assert.That(ex.Message, Does.StartWith("9 Jetstream options are invalid: "));
            foreach (var error in ex.Errors)
            {
                Assert.That(ex.Message, Does.Contain(error));
            }
        }
    }

    [Test]
    public void Validate_ManyInvalidCollections_ListsTheFirstFive()
    {
        var options = new JetstreamOptions { WantedCollections = Enumerable.Range(0, 50).Select(i => $"bad{i}").ToArray() };

        var ex = Assert.Throws<JetstreamOptionsException>(options.Validate);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Errors, Has.Count.EqualTo(5));
            Assert.That(ex.Errors[4], Does.Contain("WantedCollections[4]").And.Contain("'bad4'"));
        }
    }

    [Test]
    public void Validate_ManyInvalidDids_ListsTheFirstFive()
    {
        var options = new JetstreamOptions { WantedDids = Enumerable.Range(0, 50).Select(i => $"bad{i}").ToArray() };

        var ex = Assert.Throws<JetstreamOptionsException>(options.Validate);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Errors, Has.Count.EqualTo(5));
            Assert.That(ex.Errors[4], Does.Contain("WantedDids[4]").And.Contain("'bad4'"));
        }
    }

    [Test]
    public void Connect_InvalidOptions_ThrowsBeforeAnySubscription()
    {
        var transport = new RecordingTransport();
        var options = new JetstreamOptions { BufferCapacity = 0, Transport = transport };

        Assert.That(() => JetstreamObservable.Connect(options), Throws.TypeOf<JetstreamOptionsException>().With.Message.Contains("JetstreamOptions.BufferCapacity"));
        Assert.That(transport.Connections, Is.Zero);
    }

    [Test]
    public void Connect_NullOptions_ThrowsArgumentNullException()
    {
        Assert.That(() => JetstreamObservable.Connect(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void Connect_ValidOptions_DoesNotConnectUntilSubscribed()
    {
        var transport = new RecordingTransport();

        var stream = JetstreamObservable.Connect(new JetstreamOptions { Transport = transport });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stream, Is.Not.Null);
            Assert.That(transport.Connections, Is.Zero);
        }
    }

    private static JetstreamOptions WithBackoff(Func<BackoffPolicy, BackoffPolicy> change) => new() { Backoff = change(BackoffPolicy.Default) };

    private static string[] Collections(int count) => Enumerable.Range(0, count).Select(i => $"com.example.c{i}").ToArray();

    private static string[] Dids(int count) => Enumerable.Range(0, count).Select(i => $"did:plc:{i:D24}").ToArray();

    /// <summary>Counts connection attempts; a cold stream must make none before it is subscribed to.</summary>
    private sealed class RecordingTransport : IJetstreamTransport
    {
        public int Connections { get; private set; }

        public Task<WebSocket> ConnectAsync(JetstreamConnectRequest request, CancellationToken cancellationToken)
        {
            Connections++;
            return Task.FromException<WebSocket>(new InvalidOperationException("no network in unit tests"));
        }
    }
}
