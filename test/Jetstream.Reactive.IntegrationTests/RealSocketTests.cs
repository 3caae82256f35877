using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.WebSockets;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.IntegrationTests.RawServer;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests;

/// <summary>
/// The client over real sockets against a loopback server. Each test is bounded: it waits for a condition with a
/// deadline, never for a fixed time.
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
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            await c.AcceptAsync(ct);
            foreach (var line in Corpus.RealLines)
            {
                await c.SendTextAsync(line, ct);
            }

            await c.WaitForClientGoneAsync(ct);
        });

        var events = await JetstreamObservable.Connect(Options(server.Uri)).Take(Corpus.RealLines.Count).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(events, Has.Count.EqualTo(152));
        Assert.That(events.Select(e => e.TimeUs), Is.EqualTo(Corpus.RealLines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("time_us").GetInt64())));
        var connection = server.Connections.Single();
        Assert.That(connection.Path, Is.EqualTo("/subscribe"));
        Assert.That(connection.Headers["User-Agent"], Does.StartWith("Jetstream.Reactive/"));
    }

    [Test]
    public async Task Connect_ServerDropsMidStream_ResumesByCursorWithNoGapAndNoDuplicate(CancellationToken token)
    {
        var events = Corpus.Sequence(2_000);
        var dropAfter = new ConcurrentQueue<int>([300, 700, 1_300]);
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            await c.AcceptAsync(ct);

            // Inclusive replay from the cursor, like the real servers.
            var from = c.Cursor is { } cursor ? events.TakeWhile(e => e.TimeUs < cursor).Count() : 0;
            var limit = dropAfter.TryDequeue(out var n) ? n : int.MaxValue;
            for (var i = from; i < events.Count && i < limit; i++)
            {
                await c.SendTextAsync(events[i].Json, ct);
            }

            if (limit != int.MaxValue)
            {
                c.Abort();
                return;
            }

            await c.WaitForClientGoneAsync(ct);
        });

        var received = await JetstreamObservable.Connect(Options(server.Uri)).Take(events.Count).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(e => e.TimeUs), Is.EqualTo(events.Select(e => e.TimeUs)), "every event once, in order");
        var cursors = server.Connections.Select(c => c.Cursor).ToList();
        Assert.That(cursors, Has.Count.EqualTo(4));
        Assert.That(cursors[0], Is.Null);
        Assert.That(cursors.Skip(1), Has.All.Not.Null, "every reconnect resumes by cursor");
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
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            await c.AcceptAsync(ct);
            foreach (var e in events)
            {
                await c.SendTextAsync(e.Json, ct);
            }

            await c.WaitForClientGoneAsync(ct);
        });

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
    }

    [Test]
    public async Task Connect_Handshake400_EndsWithStatusAndBody(CancellationToken token)
    {
        await using var server = new ScriptedServer((c, ct) => c.RejectAsync(400, "Bad Request", "invalid subscriber options: too many wanted DIDs", ct));

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
        var attempts = 0;
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                await c.RejectAsync(503, "Service Unavailable", "service not ready: bootstrap in progress", ct);
                return;
            }

            await c.AcceptAsync(ct);
            await c.SendTextAsync(Corpus.RealLines[0], ct);
            await c.WaitForClientGoneAsync(ct);
        });

        var first = await JetstreamObservable.Connect(Options(server.Uri)).FirstAsync().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(first.Did, Is.Not.Empty);
        Assert.That(attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task Connect_ServerClosesWithPolicyViolation_EndsWithCloseStatus(CancellationToken token)
    {
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            var socket = await c.AcceptAsync(ct);
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "invalid collection", ct);
            await c.WaitForClientGoneAsync(ct);
        });

        var error = await JetstreamObservable.Connect(Options(server.Uri)).Materialize().Where(n => n.Exception is not null).Select(n => n.Exception!).FirstAsync().ToTask(token).WaitAsync(Deadline, token);

        var closed = error as JetstreamConnectionClosedException;
        Assert.That(closed, Is.Not.Null);
        Assert.That(closed!.CloseStatus, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(closed.CloseDescription, Is.EqualTo("invalid collection"));
    }

    /// <summary>
    /// Disposing the subscription aborts the socket: the server sees the TCP connection end without a close frame
    /// (docs/reconnection-and-cursors.md, "Disposing a subscription"). A close handshake would wait on an untrusted
    /// server's reply, and <c>Dispose</c> must neither block nor leave a task waiting on the server.
    /// </summary>
    [Test]
    public async Task Connect_Disposed_AbortsTheConnectionWithoutACloseFrame(CancellationToken token)
    {
        var gone = new TaskCompletionSource<WebSocketMessageType?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            await c.AcceptAsync(ct);
            await c.SendTextAsync(Corpus.RealLines[0], ct);
            gone.TrySetResult(await c.WaitForClientGoneAsync(ct));
        });

        var sub = JetstreamObservable.Connect(Options(server.Uri)).Subscribe(_ => first.TrySetResult());
        await first.Task.WaitAsync(Deadline, token);
        sub.Dispose();

        var frame = await gone.Task.WaitAsync(Deadline, token);
        Assert.That(frame, Is.Null, "the connection ended without a close frame");
        Assert.That(server.Connections, Has.Count.EqualTo(1), "no reconnect after dispose");
    }
}
