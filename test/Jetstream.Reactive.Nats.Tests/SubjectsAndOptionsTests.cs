using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>The subject layout, message identity and option checks (no nats-server needed).</summary>
[TestFixture]
public sealed class SubjectsAndOptionsTests
{
    private static JetstreamEvent Decode(string json) => JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(json)).Event!;

    [Test]
    public void MessageIdOf_SameCommitStampedByTwoHosts_SameId()
    {
        var onA = new CommitEvent("did:plc:a", 1_700_000_000_000_001, new JetstreamCommit("3lrev", CommitOperation.Create, "app.bsky.feed.post", "rk", "cid", default), serverCursor: 5);
        var onB = new CommitEvent("did:plc:a", 1_700_000_000_999_999, new JetstreamCommit("3lrev", CommitOperation.Create, "app.bsky.feed.post", "rk", "cid", default), serverCursor: 912);
        Assert.That(JetstreamNatsSubjects.MessageIdOf(onA), Is.EqualTo(JetstreamNatsSubjects.MessageIdOf(onB)));
    }

    [Test]
    public void MessageIdOf_DifferentOperationRevisionOrKey_DifferentIds()
    {
        var ids = new[]
        {
            new JetstreamCommit("r1", CommitOperation.Create, "app.bsky.feed.post", "k", "c", default),
            new JetstreamCommit("r1", CommitOperation.Delete, "app.bsky.feed.post", "k", null, default),
            new JetstreamCommit("r2", CommitOperation.Create, "app.bsky.feed.post", "k", "c", default),
            new JetstreamCommit("r1", CommitOperation.Create, "app.bsky.feed.post", "k2", "c", default),
            new JetstreamCommit("r1", CommitOperation.Create, "app.bsky.feed.like", "k", "c", default),
        }.Select(c => JetstreamNatsSubjects.MessageIdOf(new CommitEvent("did:plc:a", 1, c))).ToList();
        Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Count));
    }

    [Test]
    public void MessageIdOf_IdentityAndAccount_UpstreamSeqNotTime()
    {
        var a = Decode(TestEvents.Identity(did: "did:plc:x", seq: 42));
        var b = new IdentityEvent("did:plc:x", 999, 42, DateTimeOffset.UnixEpoch, null);
        Assert.Multiple(() =>
        {
            Assert.That(JetstreamNatsSubjects.MessageIdOf(a), Is.EqualTo("i:did:plc:x:42"));
            Assert.That(JetstreamNatsSubjects.MessageIdOf(b), Is.EqualTo("i:did:plc:x:42"));
            Assert.That(JetstreamNatsSubjects.MessageIdOf(Decode(TestEvents.Account(did: "did:plc:x", seq: 42))), Is.EqualTo("a:did:plc:x:42"));
        });
    }

    [Test]
    public void SubjectOf_EachKind_PartitionThenKindThenCollection()
    {
        var commit = Decode(TestEvents.Commit("app.bsky.feed.post", did: "did:plc:q6gjnaw2blty4crticxkmujt"));
        var p = JetstreamNatsSubjects.Partition("did:plc:q6gjnaw2blty4crticxkmujt", 16);
        Assert.Multiple(() =>
        {
            Assert.That(JetstreamNatsSubjects.SubjectOf("js", commit, 16), Is.EqualTo($"js.{p}.commit.app.bsky.feed.post"));
            Assert.That(JetstreamNatsSubjects.SubjectOf("js", Decode(TestEvents.Identity()), 16), Is.EqualTo($"js.{p}.identity"));
            Assert.That(JetstreamNatsSubjects.SubjectOf("js", Decode(TestEvents.Account()), 16), Is.EqualTo($"js.{p}.account"));
        });
    }

    [Test]
    public void Partition_KnownDid_StableValueAndInRange()
    {
        // Pinned below: relays and workers of different versions must agree on the partition of a DID.
        var spread = Enumerable.Range(0, 4000).Select(i => JetstreamNatsSubjects.Partition($"did:plc:{i:x8}", 8)).GroupBy(p => p).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(spread, Has.Count.EqualTo(8));
            Assert.That(spread.Min(g => g.Count()), Is.GreaterThan(350), "roughly even");
            Assert.That(JetstreamNatsSubjects.Partition("did:plc:abc", 16), Is.EqualTo(PinnedPartitionOfAbc));
        });
    }

    [TestCase("app.bsky.feed.post", true)]
    [TestCase("app.bsky.feed.*", false)]
    [TestCase("app..post", false)]
    [TestCase("app.bsky feed", false)]
    [TestCase("a.b>", false)]
    [TestCase("", false)]
    public void IsValidToken_Collection_OnlySafeSubjectTokens(string collection, bool valid) =>
        Assert.That(JetstreamNatsSubjects.IsValidToken(collection), Is.EqualTo(valid));

    [Test]
    public void SubjectOf_CollectionWithWildcard_WrittenUnderInvalidToken()
    {
        var e = new CommitEvent("did:plc:a", 1, new JetstreamCommit("r", CommitOperation.Create, "app.*.>", "k", "c", default));
        Assert.That(JetstreamNatsSubjects.SubjectOf("js", e, 1), Is.EqualTo("js.0.commit._invalid"));
    }

    [Test]
    public void FilterSubjects_NoFilters_OneWildcardPerPartition()
    {
        var options = new JetstreamNatsConsumerOptions { Stream = new JetstreamNatsStreamOptions { SubjectPrefix = "js", Partitions = 4 } };
        Assert.Multiple(() =>
        {
            Assert.That(options.FilterSubjects(), Is.EqualTo(new[] { "js.>" }));
            Assert.That((options with { Partitions = [2, 0] }).FilterSubjects(), Is.EqualTo(new[] { "js.0.>", "js.2.>" }));
        });
    }

    [Test]
    public void FilterSubjects_KindsAndCollections_MappedToSubjects()
    {
        var options = new JetstreamNatsConsumerOptions
        {
            Stream = new JetstreamNatsStreamOptions { SubjectPrefix = "js", Partitions = 4 },
            Kinds = [JetstreamEventKind.Commit, JetstreamEventKind.Identity],
            WantedCollections = ["app.bsky.feed.post", "app.bsky.graph.*"],
            Partitions = [1],
        };
        Assert.That(options.FilterSubjects(), Is.EqualTo(new[] { "js.1.commit.app.bsky.feed.post", "js.1.commit.app.bsky.graph.>", "js.1.identity" }));
    }

    [Test]
    public void Validate_BadConsumerOptions_NamesEachOptionAndValue()
    {
        var options = new JetstreamNatsConsumerOptions
        {
            Stream = new JetstreamNatsStreamOptions { Partitions = 4 },
            ConsumerName = "a.b",
            Partitions = [4],
            WantedCollections = ["not a nsid"],
            AckWait = TimeSpan.Zero,
            BatchSize = 0,
        };
        var e = Assert.Throws<JetstreamOptionsException>(options.Validate)!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Errors, Has.Some.Contains("ConsumerName is 'a.b'"));
            Assert.That(e.Errors, Has.Some.Contains("Partitions contains 4; each must be from 0 to 3"));
            Assert.That(e.Errors, Has.Some.Contains("WantedCollections contains 'not a nsid'"));
            Assert.That(e.Errors, Has.Some.Contains("AckWait is 00:00:00"));
            Assert.That(e.Errors, Has.Some.Contains("BatchSize is 0"));
        });
    }

    [Test]
    public void Validate_BadRelayOptions_NamesEachOptionAndValue()
    {
        var options = new JetstreamNatsRelayOptions
        {
            Source = new JetstreamOptions { Protocol = JetstreamProtocol.V2, BufferCapacity = 0 },
            Stream = new JetstreamNatsStreamOptions { Name = "has space", DuplicateWindow = TimeSpan.FromMilliseconds(10) },
            MaxPendingPublishes = 100,
            ResumeScan = 150,
        };
        var e = Assert.Throws<JetstreamOptionsException>(options.Validate)!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Errors, Has.Some.Contains("Source.Protocol is V2"));
            Assert.That(e.Errors, Has.Some.Contains("Source: ").And.Contains("BufferCapacity"));
            Assert.That(e.Errors, Has.Some.Contains("Stream.Name is 'has space'"));
            Assert.That(e.Errors, Has.Some.Contains("DuplicateWindow is 00:00:00.0100000"));
            Assert.That(e.Errors, Has.Some.Contains("ResumeScan is 150; it must be at least twice MaxPendingPublishes (200)"));
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task RetainRawJson_V1Emulator_RawJsonIsTheFrameAndRecordBytesAreVerbatim(CancellationToken token)
    {
        const string Record = """{"$type":"app.bsky.feed.post","text":"h\u00e9llo  spaced"  ,"n":1}""";
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson([TestEvents.Commit("app.bsky.feed.post", record: Record)]) }, token);
        var kept = await JetstreamObservable.Connect(new JetstreamOptions { Endpoint = emulator.Uri, RetainRawJson = true }).FirstAsync().ToTask(token);
        var plain = await JetstreamObservable.Connect(new JetstreamOptions { Endpoint = emulator.Uri }).FirstAsync().ToTask(token);

        var again = JetstreamEventDecoder.Decode(kept.RawJson.Span).Event as CommitEvent;
        Assert.Multiple(() =>
        {
            Assert.That(plain.RawJson.IsEmpty, Is.True, "not kept unless asked");
            Assert.That(again, Is.Not.Null);
            Assert.That(JetstreamNatsSubjects.MessageIdOf(again!), Is.EqualTo(JetstreamNatsSubjects.MessageIdOf(kept)));
            Assert.That(again!.Commit.RecordJson.ToArray(), Is.EqualTo(((CommitEvent)kept).Commit.RecordJson.ToArray()));
            Assert.That(again.Cursor, Is.EqualTo(kept.Cursor));
        });
    }

    // FNV-1a (32 bit) of "did:plc:abc" modulo 16, computed independently of this code.
    private const int PinnedPartitionOfAbc = 15;
}
