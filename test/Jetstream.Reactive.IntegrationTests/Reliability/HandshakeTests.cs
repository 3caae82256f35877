using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.IntegrationTests.Reliability.FaultSuite;

namespace Jetstream.Reactive.IntegrationTests.Reliability;

/// <summary>
/// Handshake faults: an unavailable server is retried without losing the cursor, a rejected request ends the stream
/// with the server's own words, and a v2 cursor the server no longer holds is handled as
/// <see cref="JetstreamOptions.OnCursorTooOld"/> says.
/// </summary>
[CancelAfter(CancelAfterMs)]
public sealed class HandshakeTests
{
    [TestCase(JetstreamProtocol.V1, "service not ready: bootstrap in progress")]
    [TestCase(JetstreamProtocol.V2, """{"error":"ServiceUnavailable","message":"bootstrap in progress"}""")]
    public async Task Connect_ServiceUnavailableAfterADrop_RetriedUntilServedAndResumedFromTheCursor(JetstreamProtocol protocol, string body, CancellationToken token)
    {
        // A connection that serves 300 events and drops, then three 503s while the server comes back, then service.
        const int Total = 1_000;
        var faults = new FaultPlan().Next(s => s.DropAfter(300));
        for (var i = 0; i < 3; i++)
        {
            faults.Next(s => s.RejectUpgrade(503, body));
        }

        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, Total),
            Faults = faults,
        }, token);
        using var meters = new TestMeterFactory();
        using var totals = new MetricTotals(meters);

        var received = await JetstreamObservable.Connect(Options(server, meters, protocol)).Take(Total).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(Index), Is.EqualTo(Indexes(Total)), "every event once, in order");
        var connections = server.Connections;
        Assert.That(connections.Select(c => c.Status), Is.EqualTo(new[] { 101, 503, 503, 503, 101 }));
        var resumedAt = connections[^1].RequestedCursor;
        Assert.That(resumedAt, Is.Not.Null);
        Assert.That(connections.Skip(1).Select(c => c.RequestedCursor), Has.All.EqualTo(resumedAt), "the failed attempts kept the cursor");
        Assert.That(received.Select(e => e.Cursor), Does.Contain(resumedAt!.Value), "the cursor is that of an event delivered before the drop");
        Assert.That(totals["jetstream.client.reconnects"], Is.EqualTo(4));
    }

    [TestCase(ServerFlavor.Current, "subscribe: invalid options: too many wanted DIDs (at most 10000)")]
    [TestCase(ServerFlavor.Legacy, "invalid subscriber options: too many wanted DIDs")]
    public async Task Connect_V1BadRequest_EndsWithTheServersTextAndNoRetry(ServerFlavor flavor, string text, CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, 10),
            Flavor = flavor,
            Faults = new FaultPlan().Next(s => s.RejectUpgrade(400, text)),
        }, token);

        var error = await FirstErrorAsync(Options(server), token);

        var handshake = error as JetstreamHandshakeException;
        Assert.That(handshake, Is.Not.Null, error.ToString());
        Assert.That(handshake!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(handshake.Body, Is.EqualTo(text));
        Assert.That(handshake.IsRetryable, Is.False);
        Assert.That(server.Connections, Has.Count.EqualTo(1), "a request the server rejects is not sent again");
    }

    [Test]
    public async Task Connect_V2InvalidRequest_EndsWithTheXrpcErrorAndNoRetry(CancellationToken token)
    {
        const string Body = """{"error":"InvalidRequest","message":"too many dids: 10001 > 10000"}""";
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, 10),
            Faults = new FaultPlan().Next(s => s.RejectUpgrade(400, Body)),
        }, token);

        var error = await FirstErrorAsync(Options(server, protocol: JetstreamProtocol.V2), token);

        var handshake = error as JetstreamHandshakeException;
        Assert.That(handshake, Is.Not.Null, error.ToString());
        Assert.That(handshake!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(handshake.Error, Is.EqualTo("InvalidRequest"));
        Assert.That(handshake.ErrorMessage, Is.EqualTo("too many dids: 10001 > 10000"));
        Assert.That(handshake.Body, Is.EqualTo(Body));
        Assert.That(server.Connections, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Connect_V2CursorTooOldAndFail_EndsWithCursorTooOld(CancellationToken token)
    {
        await using var server = await ServerWithRaisedFloorAsync(token);
        var options = Options(server, protocol: JetstreamProtocol.V2) with { Cursor = 10, OnCursorTooOld = JetstreamCursorTooOldBehavior.Fail };

        var error = await FirstErrorAsync(options, token);

        var handshake = error as JetstreamHandshakeException;
        Assert.That(handshake, Is.Not.Null, error.ToString());
        Assert.That(handshake!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(handshake.Error, Is.EqualTo("CursorTooOld"));
        Assert.That(handshake.ErrorMessage, Does.Contain("below lookback floor 401"));
        Assert.That(server.Connections.Select(c => c.RequestedCursor), Is.EqualTo(new long?[] { 10 }));
    }

    [Test]
    public async Task Connect_V2CursorTooOldAndRestartFromLive_ContinuesFromTheLiveTail(CancellationToken token)
    {
        await using var server = await ServerWithRaisedFloorAsync(token);
        using var meters = new TestMeterFactory();
        using var totals = new MetricTotals(meters);
        var options = Options(server, meters, JetstreamProtocol.V2) with { Cursor = 10, OnCursorTooOld = JetstreamCursorTooOldBehavior.RestartFromLive };

        var task = JetstreamObservable.Connect(options).Take(50).ToList().ToTask(token);

        // The retry asks without a cursor, so it starts at the tail (seq 501); publish once it has been accepted.
        await WaitUntilAsync(() => server.Connections is [_, { Status: 101 }, ..], "the retry without a cursor accepted", Deadline, token);
        server.Publish(Indexes(50, start: 500).Select(Event).ToArray());
        var received = await task.WaitAsync(Deadline, token);

        Assert.That(received.Select(e => e.Cursor), Is.EqualTo(Indexes(50, start: 501)), "the live tail: nothing older than the restart");
        Assert.That(received.Select(Index), Is.EqualTo(Indexes(50, start: 500)));
        var connections = server.Connections;
        Assert.That(connections.Select(c => c.Status), Is.EqualTo(new[] { 400, 101 }));
        Assert.That(connections.Select(c => c.RequestedCursor), Is.EqualTo(new long?[] { 10, null }));
        Assert.That(totals["jetstream.client.cursor.restarts"], Is.EqualTo(1), "the gap is counted");
    }

    /// <summary>A live server that has kept only its last 100 of 500 events: its lookback floor is seq 401.</summary>
    private static async Task<JetstreamTestServer> ServerWithRaisedFloorAsync(CancellationToken token)
    {
        var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Mode = EmulatorMode.Live, RetainedEvents = 100 }, token);
        server.Publish(Indexes(500).Select(Event).ToArray());
        Assert.That(server.FloorSeq, Is.EqualTo(401));
        return server;
    }

    private static Task<Exception> FirstErrorAsync(JetstreamOptions options, CancellationToken token) =>
        JetstreamObservable.Connect(options).Materialize().Where(n => n.Exception is not null).Select(n => n.Exception!)
            .FirstAsync().ToTask(token).WaitAsync(Deadline, token);
}
