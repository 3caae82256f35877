using System.Reactive.Subjects;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Records;
using Jetstream.Reactive.Tests.Infrastructure;
using Jetstream.Reactive.Tests.Records;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace Jetstream.Reactive.Tests.Linq;

public sealed class JetstreamEventExtensionsTests
{
    private const string Did = "did:plc:mcc5yghbk7tixqryac2yxku7";
    private const string SubjectUri = "at://did:plc:vfnmgxg2yscfliemmcxzyfyh/app.bsky.feed.post/3mmoodizfwc2j";
    private const string SubjectCid = "bafyreiaxf7tgbfydx3465sckitq6v564thxe2wwydbi7cwxbxvgssje3em";
    private const string RecordCid = "bafyreidqpc7si3dbimffi64lz3xsx2qt45ip7rpna2qpslcddp23itjjzm";

    private static readonly JetstreamEvent Like1 = Commit("app.bsky.feed.like", CommitOperation.Create, "like1", LikeJson());
    private static readonly JetstreamEvent Follow = Commit("app.bsky.graph.follow", CommitOperation.Create, "follow1", """{"$type":"app.bsky.graph.follow","subject":"did:plc:abc","createdAt":"2026-05-25T14:23:27.319Z"}""");
    private static readonly JetstreamEvent ProfileUpdate = Commit("app.bsky.actor.profile", CommitOperation.Update, "self", """{"$type":"app.bsky.actor.profile","displayName":"x"}""");
    private static readonly JetstreamEvent BlockDelete = Commit("app.bsky.graph.block", CommitOperation.Delete, "block1", null);
    private static readonly JetstreamEvent Identity = new IdentityEvent(Did, 1, 30340180350, DateTimeOffset.UnixEpoch, "alice.test");
    private static readonly JetstreamEvent Account = new AccountEvent(Did, 2, false, "deactivated", 30340180351, DateTimeOffset.UnixEpoch);
    private static readonly JetstreamEvent Status = Commit("fm.teal.alpha.actor.status", CommitOperation.Update, "self", """{"$type":"fm.teal.alpha.actor.status","time":"2026-07-04T14:38:07.380Z"}""");

    private TestScheduler _scheduler = null!;

    [SetUp]
    public void SetUp() => _scheduler = new TestScheduler();

    // ------------------------------------------------------------------ kind and operation filters

    [Test]
    public void Commits_MixedKinds_PassesCommitsInOrder()
    {
        var xs = Mixed();

        var results = _scheduler.Start(() => xs.Commits());

        Assert.That(results.Messages, Is.EqualTo(new[]
        {
            OnNext(210, (CommitEvent)Like1), OnNext(230, (CommitEvent)Follow), OnNext(240, (CommitEvent)ProfileUpdate),
            OnNext(250, (CommitEvent)BlockDelete), OnNext(270, (CommitEvent)Status), OnCompleted<CommitEvent>(300),
        }));
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 300) }));
    }

    [Test]
    public void Identities_MixedKinds_PassesOnlyIdentities()
    {
        var xs = Mixed();

        var results = _scheduler.Start(() => xs.Identities());

        Assert.That(results.Messages, Is.EqualTo(new[] { OnNext(220, (IdentityEvent)Identity), OnCompleted<IdentityEvent>(300) }));
    }

    [Test]
    public void Accounts_MixedKinds_PassesOnlyAccounts()
    {
        var xs = Mixed();

        var results = _scheduler.Start(() => xs.Accounts());

        Assert.That(results.Messages, Is.EqualTo(new[] { OnNext(260, (AccountEvent)Account), OnCompleted<AccountEvent>(300) }));
    }

    [Test]
    public void Creates_MixedOperations_PassesOnlyCreates()
    {
        var results = _scheduler.Start(() => Mixed().Creates());

        Assert.That(Keys(results), Is.EqualTo(new[] { "210 like1", "230 follow1", "300 completed" }));
    }

    [Test]
    public void Updates_MixedOperations_PassesOnlyUpdates()
    {
        var results = _scheduler.Start(() => Mixed().Updates());

        Assert.That(Keys(results), Is.EqualTo(new[] { "240 self", "270 self", "300 completed" }));
    }

    [Test]
    public void Deletes_MixedOperations_PassesOnlyDeletes()
    {
        var results = _scheduler.Start(() => Mixed().Deletes());

        Assert.That(Keys(results), Is.EqualTo(new[] { "250 block1", "300 completed" }));
    }

    [Test]
    public void Filters_SourceError_PassesTheErrorThrough()
    {
        var error = new InvalidOperationException("gone");
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(OnNext(210, Like1), OnError<JetstreamEvent>(220, error));

        var results = _scheduler.Start(() => xs.OfCollection("app.bsky.*").Creates());

        Assert.That(results.Messages, Is.EqualTo(new[] { OnNext(210, (CommitEvent)Like1), OnError<CommitEvent>(220, error) }));
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 220) }));
    }

    [Test]
    public void Filters_Disposed_UnsubscribeFromTheSource()
    {
        var xs = Mixed();

        var results = _scheduler.Start(() => xs.Commits().Deletes(), created: 100, subscribed: 200, disposed: 235);

        Assert.That(results.Messages, Is.Empty);
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 235) }));
    }

    [Test]
    public void Filters_NullSource_Throw()
    {
        IObservable<JetstreamEvent> none = null!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => none.Commits(), Throws.ArgumentNullException);
            Assert.That(() => none.Identities(), Throws.ArgumentNullException);
            Assert.That(() => none.Accounts(), Throws.ArgumentNullException);
            Assert.That(() => none.Creates(), Throws.ArgumentNullException);
            Assert.That(() => none.Updates(), Throws.ArgumentNullException);
            Assert.That(() => none.Deletes(), Throws.ArgumentNullException);
            Assert.That(() => none.OfCollection("app.bsky.feed.post"), Throws.ArgumentNullException);
            Assert.That(() => none.Records<PostRecord>(), Throws.ArgumentNullException);
        }
    }

    // ------------------------------------------------------------------ collections

    [Test]
    public void OfCollection_FullNsid_MatchesThatCollectionOnly()
    {
        var results = _scheduler.Start(() => Mixed().OfCollection("app.bsky.feed.like"));

        Assert.That(Keys(results), Is.EqualTo(new[] { "210 like1", "300 completed" }));
    }

    [Test]
    public void OfCollection_PrefixPattern_MatchesByPrefixBeforeTheStar()
    {
        var results = _scheduler.Start(() => Mixed().OfCollection("app.bsky.graph.*", "fm.*"));

        Assert.That(Keys(results), Is.EqualTo(new[] { "230 follow1", "250 block1", "270 self", "300 completed" }), "identity and account events carry no collection");
    }

    [TestCase("app.bsky.*", "app.bsky.feed.post", true)]
    [TestCase("app.bsky.*", "app.bsky.feed.post.draft.v2", true)]
    [TestCase("app.bsky.graph.*", "app.bsky.graphx.follow", false)]
    [TestCase("app.bsky.graph.*", "app.bsky.graph", false)]
    [TestCase("app.bsky.feed.post", "app.bsky.feed.postgate", false)]
    [TestCase("app.bsky.feed.post", "App.bsky.feed.post", false)]
    public void OfCollection_Pattern_MatchesLikeTheServer(string pattern, string collection, bool matches)
    {
        var e = Commit(collection, CommitOperation.Delete, "k", null);
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(OnNext(210, e));

        var results = _scheduler.Start(() => xs.OfCollection(pattern));

        Assert.That(results.Messages, Has.Count.EqualTo(matches ? 1 : 0));
    }

    private static IEnumerable<TestCaseData> InvalidPatterns()
    {
        yield return new TestCaseData((object)Array.Empty<string>()).SetArgDisplayNames("none");
        yield return new TestCaseData((object)new[] { "" }).SetArgDisplayNames("empty");
        yield return new TestCaseData((object)new[] { "*" }).SetArgDisplayNames("bare star");
        yield return new TestCaseData((object)new[] { "app.bsky.graph.fo*" }).SetArgDisplayNames("partial segment");
        yield return new TestCaseData((object)new[] { "app.bsky.feed.post", "notannsid" }).SetArgDisplayNames("one invalid");
        yield return new TestCaseData((object)new[] { "app.bsky.feed.post", null! }).SetArgDisplayNames("null value");
    }

    [TestCaseSource(nameof(InvalidPatterns))]
    public void OfCollection_InvalidPatterns_ThrowBeforeSubscribing(string[] collections)
    {
        var xs = _scheduler.CreateColdObservable<JetstreamEvent>();

        Assert.That(() => xs.OfCollection(collections), Throws.ArgumentException.With.Property("ParamName").EqualTo("collections"));
        Assert.That(xs.Subscriptions, Is.Empty);
    }

    [Test]
    public void OfCollection_NullArray_Throws()
    {
        Assert.That(() => Mixed().OfCollection(null!), Throws.ArgumentNullException);
    }

    // ------------------------------------------------------------------ typed records

    [Test]
    public void Records_Likes_PairsEachCreateWithItsRecord()
    {
        var xs = Mixed();

        var results = _scheduler.Start(() => xs.Records<LikeRecord>());

        Assert.That(results.Messages, Has.Count.EqualTo(2));
        var like = results.Messages[0].Value.Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Messages[0].Time, Is.EqualTo(210));
            Assert.That(like.Event, Is.SameAs(Like1));
            Assert.That(like.Record.Subject, Is.EqualTo(new StrongRef { Uri = AtUri.Parse(SubjectUri), Cid = Cid.Parse(SubjectCid) }));
            Assert.That((like.Did, like.Collection, like.RKey, like.Operation), Is.EqualTo((Did, "app.bsky.feed.like", "like1", CommitOperation.Create)));
            Assert.That(like.Uri.ToString(), Is.EqualTo($"at://{Did}/app.bsky.feed.like/like1"));
            Assert.That(like.Ref, Is.EqualTo(new StrongRef { Uri = like.Uri, Cid = Cid.Parse(RecordCid) }));
            Assert.That(results.Messages[1], Is.EqualTo(OnCompleted<RecordEvent<LikeRecord>>(300)));
        }

        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 300) }));
    }

    [Test]
    public void Records_UpdatesIncludedDeletesExcluded()
    {
        var profileDelete = Commit("app.bsky.actor.profile", CommitOperation.Delete, "self", null);
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(OnNext(210, ProfileUpdate), OnNext(220, profileDelete));
        var errors = new List<RecordError>();

        var results = _scheduler.Start(() => xs.Records<ProfileRecord>(errors.Add));

        Assert.That(results.Messages.Select(m => (m.Time, m.Value.Value.Operation, m.Value.Value.Record.DisplayName)), Is.EqualTo(new[] { (210L, CommitOperation.Update, (string?)"x") }));
        Assert.That(errors, Is.Empty, "a delete has no record to fail");
    }

    [Test]
    public void Records_AllRealEvents_DeliversEveryRecordOfTheCollectionInOrder()
    {
        var events = RealEvents.All.Select(e => e.Event).ToList();
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(events.Select((e, i) => OnNext(201 + i, e)).ToArray());
        var errors = new List<RecordError>();

        var likes = _scheduler.Start(() => xs.Records<LikeRecord>(errors.Add), disposed: 10_000);
        var expected = events.OfType<CommitEvent>().Where(e => e.Commit.Collection == "app.bsky.feed.like" && e.Commit.HasRecord).ToList();

        Assert.That(likes.Messages.Select(m => m.Value.Value.Event), Is.EqualTo(expected));
        Assert.That(likes.Messages, Has.Count.EqualTo(107));
        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Records_RecordKeyOutsideTheSpec_UriBuiltAsSentWithoutThrowing()
    {
        var odd = Commit("app.bsky.feed.like", CommitOperation.Create, "key with space", LikeJson());
        var xs = _scheduler.CreateHotObservable(OnNext(210, odd));

        var results = _scheduler.Start(() => xs.Records<LikeRecord>());

        var like = results.Messages.Single().Value.Value;
        Assert.That((like.Uri.ToString(), like.Uri.RKey), Is.EqualTo(($"at://{Did}/app.bsky.feed.like/key with space", "key with space")));
        Assert.That(AtUri.TryParse(like.Uri.ToString(), out _), Is.False, "the server's data is passed on, not judged");
    }

    [Test]
    public void Records_MalformedRecords_SkippedCountedLoggedAndReported()
    {
        using var meters = new TestMeterFactory();
        using var invalid = meters.Collect<long>("jetstream.client.records.invalid");
        var logger = new FakeLogger();
        var errors = new List<(long Time, RecordError Error)>();
        var missingSubject = Commit("app.bsky.feed.like", CommitOperation.Create, "bad1", """{"$type":"app.bsky.feed.like","createdAt":"2026-05-25T14:23:28.778Z"}""");
        var badDate = Commit("app.bsky.feed.like", CommitOperation.Create, "bad2", LikeJson(createdAt: "yesterday"));
        var like2 = Commit("app.bsky.feed.like", CommitOperation.Create, "like2", LikeJson());
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(
            OnNext(210, Like1), OnNext(220, missingSubject), OnNext(230, badDate), OnNext(240, like2), OnCompleted<JetstreamEvent>(250));
        var options = new RecordOptions { OnError = e => errors.Add((_scheduler.Clock, e)), Logger = logger, MeterFactory = meters };

        var results = _scheduler.Start(() => xs.Records<LikeRecord>(options));

        Assert.That(results.Messages.Select(m => $"{m.Time} {m.Value.Kind} {(m.Value.HasValue ? m.Value.Value.RKey : null)}"), Is.EqualTo(new[] { "210 OnNext like1", "240 OnNext like2", "250 OnCompleted " }));
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 250) }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(errors.Select(e => (e.Time, e.Error.Event)), Is.EqualTo(new[] { (220L, (CommitEvent)missingSubject), (230L, (CommitEvent)badDate) }));
            Assert.That(errors.Select(e => e.Error.RecordType), Has.All.EqualTo(typeof(LikeRecord)));
            Assert.That(errors.Select(e => e.Error.Exception), Has.All.InstanceOf<JsonException>());
            Assert.That(errors[0].Error.Exception.Message, Does.Contain("subject"));
            Assert.That(invalid.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
        }

        var logs = logger.Collector.GetSnapshot();
        Assert.That(logs.Select(l => (l.Id.Id, l.Id.Name, l.Level)), Is.EqualTo(new[] { (1050, "RecordSkipped", LogLevel.Debug), (1050, "RecordSkipped", LogLevel.Debug) }));
        Assert.That(logs[0].Message, Does.Contain($"at://{Did}/app.bsky.feed.like/bad1").And.Contain("LikeRecord").And.Contain("{\"$type\":\"app.bsky.feed.like\""));
        Assert.That(logs[1].Exception, Is.SameAs(errors[1].Error.Exception));
    }

    [Test]
    public void Records_NotJsonNullRecordOrWrongShape_ReportedNotThrown()
    {
        var nullRecord = Commit("app.bsky.feed.like", CommitOperation.Create, "null", "null");
        var array = Commit("app.bsky.feed.like", CommitOperation.Create, "array", "[1,2]");
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(OnNext(210, nullRecord), OnNext(220, array), OnNext(230, Like1));
        var errors = new List<RecordError>();

        var results = _scheduler.Start(() => xs.Records<LikeRecord>(errors.Add));

        Assert.That(results.Messages.Select(m => m.Value.Value.RKey), Is.EqualTo(new[] { "like1" }));
        Assert.That(errors.Select(e => e.Event.Commit.RKey), Is.EqualTo(new[] { "null", "array" }));
    }

    [Test]
    [NonParallelizable] // Reads the process-wide meter, which any Records() call without a meter factory also counts on.
    public void Records_NoOptions_CountsOnTheProcessWideMeter()
    {
        using var invalid = new MetricCollector<long>(null, JetstreamTelemetry.MeterName, "jetstream.client.records.invalid");
        var bad = Commit("app.bsky.graph.follow", CommitOperation.Create, "bad", """{"subject":42,"createdAt":"2026-05-25T14:23:27.319Z"}""");
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(OnNext(210, bad), OnNext(220, Follow));

        var results = _scheduler.Start(() => xs.Records<FollowRecord>());

        Assert.That(results.Messages.Select(m => m.Value.Value.RKey), Is.EqualTo(new[] { "follow1" }));
        Assert.That(invalid.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
    }

    [Test]
    public void Records_ErrorCallbackThrows_EndsTheSequenceWithItsException()
    {
        var bad = Commit("app.bsky.feed.like", CommitOperation.Create, "bad", "{}");
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(OnNext(210, Like1), OnNext(220, bad), OnNext(230, Like1));
        var boom = new InvalidOperationException("handler bug");

        var results = _scheduler.Start(() => xs.Records<LikeRecord>(_ => throw boom));

        Assert.That(results.Messages.Select(m => $"{m.Time} {m.Value.Kind}"), Is.EqualTo(new[] { "210 OnNext", "220 OnError" }));
        Assert.That(results.Messages[1].Value.Exception, Is.SameAs(boom));
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 220) }));
    }

    [Test]
    public void Records_ErrorsIntoASubject_ComposeAsAStream()
    {
        using var errors = new Subject<RecordError>();
        var seen = new List<string>();
        using var errorSubscription = errors.Subscribe(e => seen.Add(e.Event.Commit.RKey));
        var bad = Commit("app.bsky.graph.block", CommitOperation.Create, "bad", """{"subject":"did:plc:x"}""");
        var good = Commit("app.bsky.graph.block", CommitOperation.Create, "good", """{"subject":"did:plc:x","createdAt":"2026-05-25T14:23:27.379Z"}""");
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(OnNext(210, bad), OnNext(220, good));

        var results = _scheduler.Start(() => xs.Records<BlockRecord>(errors.OnNext));

        Assert.That(results.Messages.Select(m => m.Value.Value.Record.Subject), Is.EqualTo(new[] { "did:plc:x" }));
        Assert.That(seen, Is.EqualTo(new[] { "bad" }));
    }

    [Test]
    public void Records_OwnTypeWithPrefixPattern_UsesTheGivenMetadata()
    {
        var xs = Mixed();

        var results = _scheduler.Start(() => xs.Records("fm.teal.*", StatusJsonContext.Default.TealStatus));

        Assert.That(results.Messages.Select(m => (m.Time, m.Value.HasValue ? m.Value.Value.Record.Time : (DateTimeOffset?)null)), Is.EqualTo(new[] { (270L, (DateTimeOffset?)new DateTimeOffset(2026, 7, 4, 14, 38, 7, 380, TimeSpan.Zero)), (300L, null) }));
    }

    [Test]
    public void Records_BadArguments_ThrowBeforeSubscribing()
    {
        var xs = _scheduler.CreateColdObservable<JetstreamEvent>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => xs.Records<PostRecord>((Action<RecordError>)null!), Throws.ArgumentNullException);
            Assert.That(() => xs.Records(null!, StatusJsonContext.Default.TealStatus), Throws.ArgumentNullException);
            Assert.That(() => xs.Records<TealStatus>("fm.teal.alpha.actor.status", null!), Throws.ArgumentNullException);
            Assert.That(() => xs.Records("fm.teal.*x", StatusJsonContext.Default.TealStatus), Throws.ArgumentException.With.Property("ParamName").EqualTo("collection"));
            Assert.That(() => ((IObservable<JetstreamEvent>)null!).Records("fm.teal.*", StatusJsonContext.Default.TealStatus), Throws.ArgumentNullException);
        }

        Assert.That(xs.Subscriptions, Is.Empty);
    }

    [Test]
    public void Records_TwoSubscriptions_AreIndependent()
    {
        var xs = _scheduler.CreateHotObservable<JetstreamEvent>(OnNext(210, Like1), OnNext(310, Like1));
        var records = xs.Records<LikeRecord>();
        var first = new List<long>();
        var second = new List<long>();

        using var a = records.Subscribe(_ => first.Add(_scheduler.Clock));
        _scheduler.AdvanceTo(300);
        using var b = records.Subscribe(_ => second.Add(_scheduler.Clock));
        _scheduler.AdvanceTo(400);

        Assert.That((first, second), Is.EqualTo((new List<long> { 210, 310 }, new List<long> { 310 })));
    }

    // ------------------------------------------------------------------ helpers

    private ITestableObservable<JetstreamEvent> Mixed() => _scheduler.CreateHotObservable(
        OnNext(210, Like1), OnNext(220, Identity), OnNext(230, Follow), OnNext(240, ProfileUpdate),
        OnNext(250, BlockDelete), OnNext(260, Account), OnNext(270, Status), OnCompleted<JetstreamEvent>(300));

    private static IEnumerable<string> Keys(ITestableObserver<CommitEvent> results) =>
        results.Messages.Select(m => m.Value.HasValue ? $"{m.Time} {m.Value.Value.Commit.RKey}" : $"{m.Time} completed");

    private static string LikeJson(string createdAt = "2026-05-25T14:23:28.778Z") =>
        $$$"""{"$type":"app.bsky.feed.like","createdAt":"{{{createdAt}}}","subject":{"cid":"{{{SubjectCid}}}","uri":"{{{SubjectUri}}}"}}""";

#pragma warning disable CA1859 // The base type lets the events mix in one CreateHotObservable call.
    private static JetstreamEvent Commit(string collection, CommitOperation operation, string rkey, string? record) =>
        new CommitEvent(Did, 1_779_719_009_132_431, new JetstreamCommit(
            "3mmoojp7vgo2g",
            operation,
            collection,
            rkey,
            record is null ? null : RecordCid,
            record is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(record)));
#pragma warning restore CA1859
}

/// <summary>A record type of another lexicon, as a user of the library would write it.</summary>
public sealed record TealStatus(DateTimeOffset Time);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TealStatus))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
