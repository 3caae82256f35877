using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Testing;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>
/// docs/testing.md: tests of a consumer against <see cref="JetstreamTestServer"/>, as they would sit in a test project.
/// They run with the suite (this project is a test project too), so an example that stopped working fails CI.
/// </summary>
[CancelAfter(30_000)]
public sealed class Testing
{
    // begin-snippet: testing-setup
    [SetUp]
    public void SetUp() => SynchronizationContext.SetSynchronizationContext(null);
    // end-snippet

    // begin-snippet: testing-publish
    [Test]
    public async Task NewPosts_OnlyPostsArrive(CancellationToken cancellationToken)
    {
        await using var server = await JetstreamTestServer.StartAsync(cancellationToken: cancellationToken);
        server.Publish(
            TestEvents.Like(),
            TestEvents.Post("hello from a test", rkey: "3kpost"),
            TestEvents.Identity(handle: "alice.test"));

        var options = new JetstreamOptions { Endpoint = server.Uri, WantedCollections = ["app.bsky.feed.post"] };
        var post = await JetstreamObservable.Connect(options)
            .OfType<CommitEvent>()
            .FirstAsync()
            .ToTask(cancellationToken);

        Assert.That(post.Commit.RKey, Is.EqualTo("3kpost"));
        Assert.That(server.Connections.Single().QueryValues["wantedCollections"], Is.EqualTo("app.bsky.feed.post"));
    }
    // end-snippet

    // begin-snippet: testing-replay
    [Test]
    public async Task Consumer_RealTraffic_SeesEveryEventInOrder(CancellationToken cancellationToken)
    {
        await using var server = await JetstreamTestServer.StartAsync(
            new JetstreamTestServerOptions { Events = JetstreamEventSource.BundledRealEvents },
            cancellationToken);

        var events = await JetstreamObservable.Connect(new JetstreamOptions { Endpoint = server.Uri })
            .Take(167)
            .ToList()
            .ToTask(cancellationToken);

        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(1, 167).Select(i => (long)i)));
    }
    // end-snippet

    // begin-snippet: testing-faults
    [Test]
    public async Task Consumer_DropAndBrokenFrame_NoEventLostOrRepeated(CancellationToken cancellationToken)
    {
        var faults = new FaultPlan()
            .Next(s => s.DropAfter(50))                                  // 1st connection: TCP drop after 50 events
            .Next(s => s.InjectAfter(10, MalformedFrameKind.NotJson));   // 2nd: a broken frame after 10 events
        await using var server = await JetstreamTestServer.StartAsync(
            new JetstreamTestServerOptions { Events = JetstreamEventSource.BundledRealEvents, Faults = faults },
            cancellationToken);

        var options = new JetstreamOptions
        {
            Endpoint = server.Uri,
            Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(10) },
        };
        var events = await JetstreamObservable.Connect(options).Take(167).ToList().ToTask(cancellationToken);

        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(1, 167).Select(i => (long)i)));
        var connections = server.Connections;
        Assert.That(connections, Has.Count.EqualTo(2));
        Assert.That(connections[0].EndReason, Is.EqualTo("dropped by fault after 50 events"));
        Assert.That(connections[1].RequestedCursor, Is.EqualTo(50)); // resumed from the last event passed on
    }
    // end-snippet

    // begin-snippet: testing-rejected
    [Test]
    public async Task Consumer_ServerRejectsTheFilters_StreamEndsWithTheStatusAndBody(CancellationToken cancellationToken)
    {
        await using var server = await JetstreamTestServer.StartAsync(cancellationToken: cancellationToken);
        server.Faults
            .WarmUp(2)                                                          // two 503s: retried
            .Next(s => s.RejectUpgrade(400, "invalid subscriber options\n"));   // then a 400: final

        var options = new JetstreamOptions
        {
            Endpoint = server.Uri,
            Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(10) },
        };
        var error = await Assert.ThrowsAsync<JetstreamHandshakeException>(
            () => JetstreamObservable.Connect(options).ToTask(cancellationToken));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(server.Connections.Select(c => c.Status), Is.EqualTo(new[] { 503, 503, 400 }));
    }
    // end-snippet

    // begin-snippet: testing-live
    [Test]
    public async Task Consumer_LiveFirehoseOnAFakeClock_StampsEventsWithThatClock(CancellationToken cancellationToken)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 25, 14, 0, 0, TimeSpan.Zero));
        await using var server = await JetstreamTestServer.StartAsync(
            new JetstreamTestServerOptions
            {
                Events = JetstreamEventSource.BundledRealEvents,
                Mode = EmulatorMode.Live,
                EventsPerSecond = 100,
                TimeProvider = clock, // paces the ingest and stamps time_us
            },
            cancellationToken);

        clock.Advance(TimeSpan.FromMilliseconds(100)); // 10 events are ingested

        // Cursor 1 is the first seq (the newer server reads values below 10^15 as seqs), so no event is missed.
        var events = await JetstreamObservable.Connect(new JetstreamOptions { Endpoint = server.Uri, Cursor = 1 })
            .Take(10)
            .ToList()
            .ToTask(cancellationToken);

        Assert.That(events[0].Timestamp, Is.EqualTo(clock.GetUtcNow()));
    }
    // end-snippet
}
