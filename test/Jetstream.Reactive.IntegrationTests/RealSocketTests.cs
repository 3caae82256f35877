using System.Diagnostics.Metrics;
using System.Net;
using System.Net.WebSockets;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests;

/// <summary>
/// The client over real sockets against the emulator (<see cref="JetstreamTestServer"/>). Each test is bounded: it
/// waits for a condition with a deadline, never for a fixed time.
/// </summary>
[CancelAfter(60_000)]
public sealed class RealSocketTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static JetstreamOptions Options(Uri endpoint, IMeterFactory? meters = null) => new()
    {
        Endpoint = endpoint,
        MeterFactory = meters,
        Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
        IdleTimeout = TimeSpan.FromSeconds(20),
    };

    [Test]
    public async Task Connect_RealEvents_AllArriveInOrder(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Corpus.RealLines) }, token);

        var events = await JetstreamObservable.Connect(Options(server.Uri)).Take(Corpus.RealLines.Count).ToList().ToTask(token).WaitAsync(Deadline, token);

        // The server stamps its own time_us and cursor; the rest of each event is the real one, in the same order.
        Assert.That(events, Has.Count.EqualTo(152));
        Assert.That(events.Select(Identity), Is.EqualTo(Corpus.RealLines.Select(Identity)));
        Assert.That(events.Select(e => e.ServerCursor), Is.EqualTo(Enumerable.Range(1, 152).Select(i => (long?)i)));
        var connection = server.Connections.Single();
        Assert.That(connection.Path, Is.EqualTo("/subscribe"));
        Assert.That(connection.Headers["User-Agent"], Does.StartWith("Jetstream.Reactive/"));
    }

    [Test]
    public async Task Connect_ServerDropsMidStream_ResumesByCursorWithNoGapAndNoDuplicate(CancellationToken token)
    {
        const int total = 2_000;
        var faults = new FaultPlan().Next(s => s.DropAfter(300)).Next(s => s.DropAfter(400)).Next(s => s.DropAfter(600));
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromJson(Corpus.Sequence(total).Select(e => e.Json)),
            Faults = faults,
        }, token);

        var received = await JetstreamObservable.Connect(Options(server.Uri)).Take(total).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(e => e.ServerCursor), Is.EqualTo(Enumerable.Range(1, total).Select(i => (long?)i)), "every event once, in order");
        var connections = server.Connections;
        Assert.That(connections, Has.Count.EqualTo(4));
        Assert.That(connections.Take(3).Select(c => c.EndReason), Has.All.StartWith("dropped by fault"));
        Assert.That(connections[0].RequestedCursor, Is.Null);
        Assert.That(connections.Skip(1).Select(c => c.RequestedCursor), Is.EqualTo(new long?[] { 300, 699, 1_298 }), "each reconnect resumes from the last event received");
    }

    [Test]
    public async Task Connect_SubscriberBlocksForever_ReaderKeepsReadingAndCountsEveryEvent(CancellationToken token)
    {
        const int total = 5_000;
        const int capacity = 100;
        var events = Corpus.Sequence(total);
        using var meters = new TestMeterFactory();
        using var received = new MetricCollector<long>(meters, JetstreamTelemetry.MeterName, "jetstream.client.events.received");
        using var dropped = new MetricCollector<long>(meters, JetstreamTelemetry.MeterName, "jetstream.client.events.dropped");
        using var depth = new MetricCollector<long>(meters, JetstreamTelemetry.MeterName, "jetstream.client.buffer.depth");
        using var gate = new ManualResetEventSlim(false);
        var entered = 0;
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(events.Select(e => e.Json)) }, token);

        var options = Options(server.Uri, meters) with { BufferCapacity = capacity };
        long queued, lost, delivered;
        using (JetstreamObservable.Connect(options).Subscribe(_ =>
        {
            Interlocked.Increment(ref entered);
            gate.Wait(token);
        }))
        {
            try
            {
                await received.WaitForMeasurementsAsync(total, Deadline).WaitAsync(token);

                // The received count is taken as a frame is read, before the event is queued or dropped: wait (bounded)
                // until the last event is accounted for too, instead of reading the counters at once.
                var settle = System.Diagnostics.Stopwatch.StartNew();
                do
                {
                    queued = depth.GetMeasurementSnapshot().EvaluateAsCounter();
                    lost = dropped.GetMeasurementSnapshot().EvaluateAsCounter();
                    delivered = Volatile.Read(ref entered);
                    if (lost + queued + delivered >= total || settle.Elapsed > Deadline)
                    {
                        break;
                    }

                    await Task.Delay(5, token);
                }
                while (true);
            }
            finally
            {
                gate.Set();
            }
        }

        Assert.That(received.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(total), "the reader never waited for the blocked subscriber");
        Assert.That(delivered, Is.EqualTo(1));

        // Whether the one delivered event left the buffer before the reader filled it decides if 99 or 100 wait there.
        Assert.That(queued, Is.InRange(capacity - 1, capacity));
        Assert.That(lost + queued + 1, Is.EqualTo(total), "received = delivered + queued + dropped");
        Assert.That(server.Connections, Has.Count.EqualTo(1), "the connection was never dropped");
        Assert.That(server.Connections[0].EventsSent, Is.EqualTo(total));
    }

    [Test]
    public async Task Connect_Handshake400_EndsWithStatusAndBody(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Faults = new FaultPlan().Next(s => s.RejectUpgrade(400, "invalid subscriber options: too many wanted DIDs")),
        }, token);

        var error = await JetstreamObservable.Connect(Options(server.Uri)).Materialize().Where(n => n.Exception is not null).Select(n => n.Exception!).FirstAsync().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(error, Is.TypeOf<JetstreamHandshakeException>());
        var handshake = (JetstreamHandshakeException)error;
        Assert.That(handshake.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(handshake.Body, Is.EqualTo("invalid subscriber options: too many wanted DIDs"));
        Assert.That(server.Connections, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Connect_Handshake503ThenOpen_Retries(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromJson(Corpus.RealLines.Take(1)),
            Faults = new FaultPlan().WarmUp(1),
        }, token);

        var first = await JetstreamObservable.Connect(Options(server.Uri)).FirstAsync().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(first.Did, Is.Not.Empty);
        Assert.That(server.Connections.Select(c => c.Status), Is.EqualTo(new[] { 503, 101 }));
    }

    [Test]
    public async Task Connect_ServerClosesWithPolicyViolation_EndsWithCloseStatus(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Faults = new FaultPlan().Next(s => s.CloseAfter(0, WebSocketCloseStatus.PolicyViolation, "invalid collection")),
        }, token);

        var error = await JetstreamObservable.Connect(Options(server.Uri)).Materialize().Where(n => n.Exception is not null).Select(n => n.Exception!).FirstAsync().ToTask(token).WaitAsync(Deadline, token);

        var closed = error as JetstreamConnectionClosedException;
        Assert.That(closed, Is.Not.Null);
        Assert.That(closed!.CloseStatus, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(closed.CloseDescription, Is.EqualTo("invalid collection"));
        Assert.That(server.Connections, Has.Count.EqualTo(1), "1008 blames the request: not retried");
    }

    /// <summary>
    /// Disposing the subscription aborts the socket: the server sees the connection end without a close frame
    /// (docs/reconnection-and-cursors.md, "Disposing a subscription"). A close handshake would wait on an untrusted
    /// server's reply, and <c>Dispose</c> must neither block nor leave a task waiting on the server.
    /// </summary>
    [Test]
    public async Task Connect_Disposed_AbortsTheConnectionWithoutACloseFrame(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Corpus.RealLines.Take(1)) }, token);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var sub = JetstreamObservable.Connect(Options(server.Uri)).Subscribe(_ => first.TrySetResult());
        await first.Task.WaitAsync(Deadline, token);
        sub.Dispose();

        var connection = server.Connections.Single();
        await connection.Ended.WaitAsync(Deadline, token);
        Assert.That(connection.EndReason, Is.EqualTo("ended"), "the connection ended without a close frame (a close frame ends it as \"client closed\")");
        Assert.That(server.Connections, Has.Count.EqualTo(1), "no reconnect after dispose");
    }

    /// <summary>What identifies a real event apart from what a server stamps (time_us, cursor): who, what, which record.</summary>
    private static string Identity(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var kind = root.GetProperty("kind").GetString();
        if (kind != "commit")
        {
            return $"{root.GetProperty("did").GetString()} {kind}";
        }

        var commit = root.GetProperty("commit");
        var cid = commit.TryGetProperty("cid", out var c) ? c.GetString() : null;
        return $"{root.GetProperty("did").GetString()} commit {commit.GetProperty("operation").GetString()} {commit.GetProperty("collection").GetString()} {commit.GetProperty("rkey").GetString()} {cid}";
    }

    private static string Identity(JetstreamEvent e) => e switch
    {
        CommitEvent c => $"{c.Did} commit {c.Commit.Operation.ToString().ToLowerInvariant()} {c.Commit.Collection} {c.Commit.RKey} {c.Commit.Cid}",
        _ => $"{e.Did} {e.Kind.ToString().ToLowerInvariant()}",
    };
}
