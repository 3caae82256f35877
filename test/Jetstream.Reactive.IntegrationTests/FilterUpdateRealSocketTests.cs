using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text.Json;
using Jetstream.Reactive.IntegrationTests.Reliability;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests;

/// <summary>A v1 filter update over a real socket: the emulator reads the <c>options_update</c> the client sends mid-stream and applies it.</summary>
[CancelAfter(60_000)]
public sealed class FilterUpdateRealSocketTests
{
    private const string Did = TestEvents.DefaultDid;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test]
    public async Task FilterUpdates_V1_ServerReceivesOneOptionsUpdateOnTheOpenSocket(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromJson([TestEvents.Like(rkey: "a", did: Did)]),
        }, token);
        using var filters = new Subject<JetstreamFilter>();
        var options = new JetstreamOptions
        {
            Endpoint = server.Uri,
            WantedCollections = ["app.bsky.feed.like"],
            FilterUpdates = filters,
            IdleTimeout = TimeSpan.FromSeconds(20),
        };

        var received = new System.Collections.Concurrent.ConcurrentQueue<CommitEvent>();
        using var subscription = JetstreamObservable.Connect(options)
            .Do(e =>
            {
                if (e is CommitEvent { Commit.RKey: "a" })
                {
                    filters.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"], WantedDids = [Did] });
                }
            })
            .Subscribe(e => received.Enqueue((CommitEvent)e));
        var connection = (await server.WaitForConnectionsAsync(1, Deadline, token))[0];
        await FaultSuite.WaitUntilAsync(() => connection.ClientMessages.Count > 0, "the client sent its filter update", Deadline, token);

        // The server records a message just before it applies it, so a post published at once may still meet the old
        // filter (likes only): publish posts until one comes through. Then the new filter is in force for certain.
        var posts = 0;
        await FaultSuite.WaitUntilAsync(
            () =>
            {
                if (received.Any(e => e.Commit.Collection == "app.bsky.feed.post"))
                {
                    return true;
                }

                server.Publish(TestEvents.Post("hello", rkey: $"b{posts++}", did: Did));
                return false;
            },
            "a post came through under the new filter",
            Deadline,
            token);
        server.Publish(TestEvents.Like(rkey: "c", did: Did), TestEvents.Post("last", rkey: "d", did: Did));
        await FaultSuite.WaitUntilAsync(() => received.Any(e => e.Commit.RKey == "d"), "the last post", Deadline, token);
        var delivered = received.ToList();

        using var document = JsonDocument.Parse(connection.ClientMessages.Single());
        var payload = document.RootElement.GetProperty("payload");
        Assert.That(document.RootElement.GetProperty("type").GetString(), Is.EqualTo("options_update"));
        Assert.That(payload.GetProperty("wantedCollections").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "app.bsky.feed.post" }));
        Assert.That(payload.GetProperty("wantedDids").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { Did }));
        Assert.That(delivered[0].Commit.RKey, Is.EqualTo("a"), "the like, under the first filter");
        Assert.That(delivered.Skip(1).Select(e => e.Commit.Collection), Has.All.EqualTo("app.bsky.feed.post"), "no like under the new filter");
        Assert.That(delivered[^1].Commit.RKey, Is.EqualTo("d"));
        Assert.That(server.Connections, Has.Count.EqualTo(1), "the filter changed without a reconnect");
    }
}
