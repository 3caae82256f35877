using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Protocol;

/// <summary>Where the filter lists travel on the wire: the query when short, one options_update after requireHello when long.</summary>
public sealed class FilterListRequestTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_LongFilterLists_UseRequireHelloAndSendOneOptionsUpdate()
    {
        var dids = Enumerable.Range(0, 500).Select(i => $"did:plc:{i:D24}").ToArray();
        _h.Options = _h.Options with { WantedDids = dids, WantedCollections = ["app.bsky.feed.post"] };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        var attempt = _h.Transport.Attempts.Single();
        Assert.That(attempt.Uri.Query, Is.EqualTo("?requireHello=true"));
        var sent = _h.Transport.Socket(0).SentText.Single();
        using var doc = System.Text.Json.JsonDocument.Parse(sent);
        Assert.That(doc.RootElement.GetProperty("type").GetString(), Is.EqualTo("options_update"));
        Assert.That(doc.RootElement.GetProperty("payload").GetProperty("wantedDids").GetArrayLength(), Is.EqualTo(500));
        Assert.That(doc.RootElement.GetProperty("payload").GetProperty("wantedCollections")[0].GetString(), Is.EqualTo("app.bsky.feed.post"));
    }

    [Test]
    public void Connect_ShortFilterLists_GoInTheQuery()
    {
        _h.Options = _h.Options with { WantedDids = [Events.Did], WantedCollections = ["app.bsky.feed.post", "app.bsky.graph.*"] };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts.Single().Uri.Query, Is.EqualTo("?wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.graph.%2A&wantedDids=did%3Aplc%3Amcc5yghbk7tixqryac2yxku7"));
        Assert.That(_h.Transport.Socket(0).SentText, Is.Empty);
    }
}
