using System.Reactive.Subjects;
using System.Text.Json;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Connection;

/// <summary>
/// <see cref="JetstreamOptions.FilterUpdates"/> in virtual time: v1 sends one <c>options_update</c> per update and
/// reconnects with the latest filter; v2 reconnects at once from the cursor; invalid updates are reported, never sent.
/// </summary>
public sealed class FilterUpdateTests
{
    private const string OtherDid = "did:plc:q6gjnaw2blty4crticxkmujt";

    private Harness _h = null!;
    private Subject<JetstreamFilter> _updates = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _updates = new Subject<JetstreamFilter>();
        _h.Options = _h.Options with { FilterUpdates = _updates, WantedCollections = ["app.bsky.feed.like"] };
    }

    [TearDown]
    public void TearDown()
    {
        _updates.Dispose();
        _h.Dispose();
    }

    private static (string[] Collections, string[] Dids) OptionsUpdate(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("options_update"));
        var payload = root.GetProperty("payload");
        return (
            payload.GetProperty("wantedCollections").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            payload.GetProperty("wantedDids").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Test]
    public void FilterUpdates_V1_EachUpdateSendsOneOptionsUpdateWithBothListsInFull()
    {
        using var updates = _h.Meters.Collect<long>("jetstream.client.filter.updates");
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _updates.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post", "app.bsky.feed.post"] }));
        _h.At(200, () => _updates.OnNext(new JetstreamFilter { WantedDids = [OtherDid] }));
        _h.At(300, () => _updates.OnNext(new JetstreamFilter()));
        _h.Scheduler.AdvanceTo(1_000);

        var sent = _h.Transport.Socket(0).SentText.Select(OptionsUpdate).ToList();
        Assert.That(sent, Has.Count.EqualTo(3));
        Assert.That(sent[0].Collections, Is.EqualTo(new[] { "app.bsky.feed.post" }));
        Assert.That(sent[0].Dids, Is.Empty, "an empty list is sent, meaning every repository");
        Assert.That(sent[1].Collections, Is.Empty, "the update replaces both lists");
        Assert.That(sent[1].Dids, Is.EqualTo(new[] { OtherDid }));
        Assert.That(sent[2].Collections, Is.Empty);
        Assert.That(sent[2].Dids, Is.Empty);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "v1 changes the filter on the open connection");
        Assert.That(updates.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.outcome"]), Is.All.EqualTo("applied"));
        Assert.That(_h.LogsWithId(1022), Has.Count.EqualTo(3));
    }

    [Test]
    public void FilterUpdates_V1_EveryReconnectCarriesTheLatestFilter()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(1_000)));
        _h.At(200, () => _updates.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.graph.*"], WantedDids = [OtherDid] }));
        _h.At(300, () => _h.Transport.Socket(0).Drop());
        _h.At(Seconds(2), () => _h.Transport.Socket(1).Drop());
        _h.Scheduler.AdvanceTo(Seconds(5));

        Assert.That(_h.Transport.Attempts.Select(a => a.Uri.Query), Is.EqualTo(new[]
        {
            "?wantedCollections=app.bsky.feed.like",
            "?wantedCollections=app.bsky.graph.%2A&wantedDids=did%3Aplc%3Aq6gjnaw2blty4crticxkmujt&cursor=1000",
            "?wantedCollections=app.bsky.graph.%2A&wantedDids=did%3Aplc%3Aq6gjnaw2blty4crticxkmujt&cursor=1000",
        }));
        Assert.That(_h.Transport.Socket(1).SentCount, Is.Zero, "the URL already carries the filter");
        Assert.That(_h.Transport.Socket(2).SentCount, Is.Zero);
    }

    [Test]
    public void FilterUpdates_V1_LongFilterAfterReconnect_GoesInTheHello()
    {
        var dids = Enumerable.Range(0, 500).Select(i => $"did:plc:{i:D24}").ToArray();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _updates.OnNext(new JetstreamFilter { WantedDids = dids }));
        _h.At(200, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts[1].Uri.Query, Is.EqualTo("?requireHello=true"));
        Assert.That(OptionsUpdate(_h.Transport.Socket(1).SentText.Single()).Dids, Is.EqualTo(dids));
    }

    [Test]
    public void FilterUpdates_V1_UpdateDuringBackoff_IsNotSentButShapesTheNextConnection()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).Drop());
        _h.At(Seconds(0.5), () => _updates.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"] }));
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Socket(0).SentCount, Is.Zero);
        Assert.That(_h.Transport.Attempts[1].Uri.Query, Is.EqualTo("?wantedCollections=app.bsky.feed.post"));
        Assert.That(_h.Transport.Socket(1).SentCount, Is.Zero);
    }

    [Test]
    public void FilterUpdates_V1_UpdateWhileConnecting_IsSentAsSoonAsTheSocketOpens()
    {
        _h.Transport.ThenOpenLater();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _updates.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"] }));
        _h.At(200, () => _h.Transport.OpenPending());
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.Transport.Attempts.Single().Uri.Query, Is.EqualTo("?wantedCollections=app.bsky.feed.like"), "the URL was built before the update");
        Assert.That(OptionsUpdate(_h.Transport.Socket(0).SentText.Single()).Collections, Is.EqualTo(new[] { "app.bsky.feed.post" }));
    }

    [Test]
    public void FilterUpdates_SourceThatEmitsAtOnce_ShapesTheFirstConnectionWithoutAMessage()
    {
        using var initial = new BehaviorSubject<JetstreamFilter>(new JetstreamFilter { WantedDids = [OtherDid] });
        _h.Options = _h.Options with { FilterUpdates = initial };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts.Single().Uri.Query, Is.EqualTo("?wantedDids=did%3Aplc%3Aq6gjnaw2blty4crticxkmujt"));
        Assert.That(_h.Transport.Socket(0).SentCount, Is.Zero);
    }

    private static IEnumerable<TestCaseData> InvalidFilters()
    {
        static TestCaseData Case(string name, JetstreamFilter? filter, string field, string detail) => new TestCaseData(filter, field, detail).SetArgDisplayNames(name);

        yield return Case("bare star", new JetstreamFilter { WantedCollections = ["app.bsky.feed.post", "*"] }, "JetstreamFilter.WantedCollections[1]", "JetstreamFilter.WantedCollections[1] is '*'");
        yield return Case("not a DID", new JetstreamFilter { WantedDids = ["did:PLC:secret"] }, "JetstreamFilter.WantedDids[0]", "JetstreamFilter.WantedDids[0] is 'did:PLC:secret'");
        yield return Case("too many", new JetstreamFilter { WantedCollections = Enumerable.Range(0, 101).Select(i => $"com.example.c{i}").ToArray() }, "JetstreamFilter.WantedCollections", "101 distinct values");
        yield return Case("null list", new JetstreamFilter { WantedDids = null! }, "JetstreamFilter.WantedDids", "JetstreamFilter.WantedDids is null");
        yield return Case("null filter", null, "The JetstreamFilter", "JetstreamFilter is null");
    }

    [TestCaseSource(nameof(InvalidFilters))]
    public void FilterUpdates_InvalidUpdate_ReportedCountedAndNeverSent(JetstreamFilter? filter, string field, string detail)
    {
        using var updates = _h.Meters.Collect<long>("jetstream.client.filter.updates");
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _updates.OnNext(filter!));
        _h.At(200, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Socket(0).SentCount, Is.Zero);
        Assert.That(_h.Transport.Attempts[1].Uri.Query, Is.EqualTo("?wantedCollections=app.bsky.feed.like"), "the previous filter stays");
        Assert.That(updates.GetMeasurementSnapshot().Single().Tags["jetstream.outcome"], Is.EqualTo("rejected"));
        var warning = _h.LogsWithId(1021).Single();
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain("invalid: " + field + " ("));
        Assert.That(warning.Message, Does.Not.Contain("did:PLC:secret").And.Not.Contain("'*'"), "no filter values above Debug");
        var debug = _h.LogsWithId(1025).Single();
        Assert.That(debug.Level, Is.EqualTo(LogLevel.Debug));
        Assert.That(debug.Message, Does.Contain(detail));
    }

    [Test]
    public void FilterUpdates_SourceFails_StreamGoesOnWithTheLastFilter()
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _updates.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"] }));
        _h.At(200, () => _updates.OnError(new InvalidOperationException("settings store unreachable")));
        _h.At(300, () => _h.Transport.Socket(0).SendText(Events.Like(1)));
        _h.At(400, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(observer.Messages.Select(m => m.Value.Kind), Is.EqualTo(new[] { System.Reactive.NotificationKind.OnNext }));
        Assert.That(_h.Transport.Attempts[1].Uri.Query, Does.StartWith("?wantedCollections=app.bsky.feed.post&"));
        Assert.That(_h.LogsWithId(1024).Single().Message, Does.Contain("settings store unreachable"));
    }

    [Test]
    public void FilterUpdates_SubscriptionDisposed_StopsListening()
    {
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);
        Assert.That(_updates.HasObservers, Is.True);

        sub.Dispose();

        Assert.That(_updates.HasObservers, Is.False);
    }

    [Test]
    public void FilterUpdates_EachSubscription_HasItsOwnFilter()
    {
        var stream = JetstreamObservable.Connect(_h.Options);
        using var first = stream.Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);
        _updates.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"] });
        using var second = stream.Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(20);

        Assert.That(_h.Transport.Attempts[1].Uri.Query, Is.EqualTo("?wantedCollections=app.bsky.feed.like"), "a later subscription starts from the options");
        Assert.That(_h.Transport.Socket(0).SentCount, Is.EqualTo(1));
    }

    // ---------------------------------------------------------------- v2

    [Test]
    public void FilterUpdates_V2_ReconnectsAtOnceFromTheCursorWithTheNewParameters()
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2 };
        using var updates = _h.Meters.Collect<long>("jetstream.client.filter.updates");
        using var reconnects = _h.Meters.Collect<long>("jetstream.client.reconnects");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).SendText(V2Frames.Commit(5, "a")));
        _h.At(200, () => _updates.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"], WantedDids = [OtherDid] }));
        _h.At(300, () =>
        {
            _h.Transport.Socket(1).SendText(V2Frames.Commit(5, "a"));
            _h.Transport.Socket(1).SendText(V2Frames.Commit(6, "b"));
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.Transport.Attempts.Select(a => a.Time), Is.EqualTo(new[] { 0L, 201 }), "at once, not after a backoff");
        Assert.That(_h.Transport.Attempts[1].Uri.Query, Is.EqualTo("?collections=app.bsky.feed.post&dids=did%3Aplc%3Aq6gjnaw2blty4crticxkmujt&cursor=5"));
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True);
        Assert.That(_h.Transport.Socket(0).SentCount, Is.Zero, "v2 has no client messages");
        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(updates.GetMeasurementSnapshot().Single().Tags["jetstream.outcome"], Is.EqualTo("applied"));
        Assert.That(_h.LogsWithId(1023).Single().Level, Is.EqualTo(LogLevel.Information));
        Assert.That(_h.LogsWithId(1002), Is.Empty, "a filter change is not a lost connection");
        Assert.That(reconnects.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "filter_update" }));
    }

    [Test]
    public void FilterUpdates_V2ChattySource_CoalescedIntoOneReconnectPerSecondWithTheLatestFilter()
    {
        // Twenty different filters in 20 ms used to mean twenty reconnects.
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2 };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        for (var i = 0; i < 20; i++)
        {
            var did = $"did:plc:{i:D24}";
            _h.At(Harness.Seconds(1) + (i * TimeSpan.TicksPerMillisecond), () => _updates.OnNext(new JetstreamFilter { WantedDids = [did] }));
        }

        _h.Scheduler.AdvanceTo(Harness.Seconds(10));

        var attempts = _h.Transport.Attempts;
        Assert.That(attempts, Has.Count.EqualTo(3), "the first, one at once for the first change, one for all the rest");
        Assert.That(attempts[2].Time - attempts[1].Time, Is.GreaterThanOrEqualTo(Harness.Seconds(1) - 10));
        Assert.That(attempts[2].Uri.Query, Does.Contain("did%3Aplc%3A000000000000000000000019"), "the latest filter");
    }

    [Test]
    public void FilterUpdates_V2SameFilterAgain_DoesNotReconnect()
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2 };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _updates.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.like", "app.bsky.feed.like"] }));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void FilterUpdates_V2UpdateDuringBackoff_KeepsTheBackoffAndShapesTheNextConnection()
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2 };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).Drop());
        _h.At(Seconds(0.5), () => _updates.OnNext(new JetstreamFilter { WantedDids = [OtherDid] }));
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts.Select(a => a.Time), Is.EqualTo(new[] { 0, Seconds(1) + 100 }));
        Assert.That(_h.Transport.Attempts[1].Uri.Query, Is.EqualTo("?dids=did%3Aplc%3Aq6gjnaw2blty4crticxkmujt"));
    }

    [Test]
    public void FilterUpdates_V2UpdateWhileConnecting_AbandonsTheConnectAndReconnects()
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2 };
        _h.Transport.ThenHang();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _updates.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"] }));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.Transport.Attempts.Select(a => (a.Time, a.Uri.Query)), Is.EqualTo(new[]
        {
            (0L, "?collections=app.bsky.feed.like"),
            (101L, "?collections=app.bsky.feed.post"),
        }));
    }

    [TestCase("app.*", "at least two segments")]
    [TestCase("app.bsky.feed.post", "Kinds is [Identity]")]
    public void FilterUpdates_V2InvalidForV2_Rejected(string collection, string error)
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, WantedCollections = [], Kinds = [JetstreamEventKind.Identity] };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _updates.OnNext(new JetstreamFilter { WantedCollections = [collection] }));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(_h.LogsWithId(1025).Single().Message, Does.Contain(error));
    }
}
