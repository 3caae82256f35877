using System.Diagnostics;
using System.Reactive.Concurrency;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.IntegrationTests.Reliability.FaultSuite;

namespace Jetstream.Reactive.IntegrationTests.Reliability;

/// <summary>
/// Slow consumer under the default policy (drop incoming): a subscriber that stops dead while the server replays a
/// long stream as fast as loopback allows. The socket is still read at full speed, memory stays bounded by the
/// buffer, and every event that reached the client is accounted for: delivered or dropped, exactly.
/// </summary>
[CancelAfter(CancelAfterMs)]
[NonParallelizable]
public sealed class SlowConsumerTests
{
    private const int BufferCapacity = 10_000; // the default

    /// <summary>
    /// The bound on what the run keeps alive, measured with a forced full collection at the moment the client has
    /// received every event while its subscriber is still stalled, above a baseline taken the same way with the
    /// server's whole log already in memory. What may legitimately be alive then: the buffer, at most
    /// <see cref="BufferCapacity"/> decoded events of under 1 KB each (the control measures 620 to 740 bytes), so at
    /// most 10 MB, and socket, pipe and pooled buffers, a few MB. 32 MiB leaves room and does not grow with the number
    /// of events. A forced collection counts live objects only, so unlike a sample of the heap between collections it
    /// does not depend on the gen0 budget, which the GC sizes from the CPU's cache and its mode (workstation or server).
    /// A buffer without a bound holds every event instead: about 130 MiB for the control's 200,000 events, which
    /// <see cref="Connect_BufferAsLargeAsTheStream_RetainedHeapPastTheBound"/> shows the same measurement catches.
    /// </summary>
    private const long HeapBound = 32L * 1024 * 1024;

    private const double Mib = 1024 * 1024;

    [Test]
    public async Task Connect_SubscriberStalledDuringAFastReplay_RetainedHeapBoundedAndReceivedEqualsDeliveredPlusDropped(CancellationToken token)
    {
        var total = 100_000 * Factor;
        var run = await RunAsync(total, BufferCapacity, token);

        Assert.That(run.Received, Is.EqualTo(total + 1), "every event the server sent, the last one included");
        Assert.That(run.Received, Is.EqualTo(run.Delivered + run.Dropped), "received = delivered + dropped, exactly");
        Assert.That(run.Dropped, Is.GreaterThan(0), "the stalled subscriber made the buffer drop");
        Assert.That(run.Delivered, Is.LessThanOrEqualTo(BufferCapacity + 2), "the one in the handler, the buffer's worth, and the last");
        Assert.That(run.InOrder, Is.True, "what was delivered came in order, each once");
        Assert.That(run.RetainedGrowth, Is.LessThan(HeapBound), $"retained heap growth {run.RetainedGrowth / Mib:F1} MiB");
        Report($"slow consumer: {total:N0} events, received {run.Received:N0} = delivered {run.Delivered:N0} + dropped {run.Dropped:N0}, " +
            $"retained heap growth {run.RetainedGrowth / Mib:F1} MiB (bound {HeapBound / Mib:F0} MiB, baseline {run.Baseline / Mib:F1} MiB), {run.Elapsed.TotalSeconds:F1} s");
    }

    [Test]
    public async Task Connect_BufferAsLargeAsTheStream_RetainedHeapPastTheBound(CancellationToken token)
    {
        // The control: with room for every event, the stalled subscriber's buffer keeps them all, and the same
        // measurement sees the heap grow past the bound. Without this, a bound that nothing could exceed would pass.
        var total = 200_000 * Factor;
        var run = await RunAsync(total, total + 1, token);

        Assert.That(run.Dropped, Is.Zero);
        Assert.That(run.Delivered, Is.EqualTo(total + 1));
        // Measured as what the drain freed: a baseline taken while an earlier test's objects were still alive (seen once
        // in CI under load: 24 MiB of growth for 118 MiB held) would make the growth from the baseline too small.
        Assert.That(run.HeldByBuffer, Is.GreaterThan(HeapBound), $"the buffer held {run.HeldByBuffer / Mib:F1} MiB (retained heap growth {run.RetainedGrowth / Mib:F1} MiB)");
        Report($"slow consumer control (unbounded buffer): {total:N0} events, held by the buffer {run.HeldByBuffer / Mib:F1} MiB, " +
            $"retained heap growth {run.RetainedGrowth / Mib:F1} MiB, {run.HeldByBuffer / (double)total:F0} bytes per buffered event");
    }

    /// <summary>
    /// The server drops a v1 reader whose outbox fills while it is live (caught up with the log), never while it
    /// replays, so a stalled subscriber during a replay says nothing about whether the client keeps reading. Here the
    /// client catches up first, its subscriber stalls, and the events are published while it is live, in batches no
    /// faster than a reader at full speed takes them: a client whose reader waited for its subscriber would stop
    /// reading, its outbox would fill, and the server would end the connection.
    /// </summary>
    [Test]
    public async Task Connect_SubscriberStalledWhileTheServerIsLive_ReaderKeepsUpAndTheServerNeverDropsIt(CancellationToken token)
    {
        const int total = 30_000;
        const int outbox = 2_000;
        const int batch = 250;
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, 1),
            RetainedEvents = total,
            SlowSubscriberOutbox = outbox,
        }, token);
        using var meters = new TestMeterFactory();
        using var totals = new MetricTotals(meters);
        using var subscriberThread = new EventLoopScheduler();
        using var gate = new ManualResetEventSlim();
        var options = Options(server, meters) with { BufferCapacity = 1_000, Scheduler = subscriberThread };

        using (JetstreamObservable.Connect(options).Subscribe(_ => gate.Wait(Deadline)))
        {
            try
            {
                var connection = (await server.WaitForConnectionsAsync(1, Deadline, token))[0];
                await WaitUntilAsync(() => connection.EventsSent == 1, "the first event was sent: the connection is live", Deadline, token);
                for (var next = 1; next < total; next += batch)
                {
                    var count = Math.Min(batch, total - next);
                    server.Publish(Enumerable.Range(next, count).Select(i => Event(i)).ToArray());

                    // Paced by what the server managed to send, not by the client's subscriber; a writer stuck behind a
                    // reader that stopped reading ends the pacing, and the rest is published at once.
                    var sentBy = next + count - (outbox / 2);
                    try
                    {
                        await WaitUntilAsync(() => connection.EventsSent >= sentBy || connection.Ended.IsCompleted, "the server sent the batch", TimeSpan.FromSeconds(10), token);
                    }
                    catch (TimeoutException)
                    {
                        server.Publish(Enumerable.Range(next + count, total - next - count).Select(i => Event(i)).ToArray());
                        break;
                    }
                }

                await WaitUntilAsync(
                    () => totals["jetstream.client.events.received"] == total || server.Connections.Count > 1 || connection.Ended.IsCompleted,
                    "the client received every event, or the server dropped it", Deadline, token,
                    () => $"received {totals["jetstream.client.events.received"]:N0}; connections: {string.Join("; ", server.Connections)}");

                Assert.That(connection.Ended.IsCompleted, Is.False, $"the live server never dropped the reader ({connection.EndReason})");
                Assert.That(server.Connections, Has.Count.EqualTo(1), "the live server never dropped the reader");
                Assert.That(totals["jetstream.client.events.received"], Is.EqualTo(total), "the reader read every event while the subscriber was stalled");
                Assert.That(totals["jetstream.client.events.dropped"], Is.GreaterThan(0), "the stalled subscriber made the buffer drop");
            }
            finally
            {
                gate.Set();
            }
        }
    }

    /// <summary>
    /// Replays <paramref name="total"/> events to a subscriber that blocks in its first OnNext until the client has
    /// received them all, then lets it drain, then publishes one more event as a marker: once the marker is delivered,
    /// every earlier event has been delivered or dropped, so the counts are final.
    /// </summary>
    private static async Task<SlowRun> RunAsync(int total, int capacity, CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, total),
            RetainedEvents = total + 1, // all of them, and the marker
        }, token);
        using var meters = new TestMeterFactory();
        using var totals = new MetricTotals(meters);

        // The subscriber gets a thread of its own to block, so that the thread pool, which runs both the server and
        // the socket reader, keeps all its threads.
        using var subscriberThread = new EventLoopScheduler();
        using var gate = new ManualResetEventSlim();
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long delivered = 0, last = -1;
        var inOrder = true;
        var options = Options(server, meters) with { BufferCapacity = capacity, Scheduler = subscriberThread };

        var baseline = Baseline();
        long retained = 0;
        long held = 0;
        var clock = Stopwatch.StartNew();
        using (JetstreamObservable.Connect(options).Subscribe(e =>
               {
                   gate.Wait(Deadline);
                   var index = Index(e);
                   inOrder &= index > last;
                   last = index;
                   delivered++;
                   if (index == total)
                   {
                       marker.TrySetResult();
                   }
               }))
        {
            string State() =>
                $"Received {totals["jetstream.client.events.received"]:N0}, dropped {totals["jetstream.client.events.dropped"]:N0}, " +
                $"buffered {totals["jetstream.client.buffer.depth"]:N0}, delivered {Interlocked.Read(ref delivered):N0}; connections: {string.Join("; ", server.Connections)}";
            await WaitUntilAsync(() => totals["jetstream.client.events.received"] == total, "the client received every event", Deadline, token, State);

            // The subscriber is still stalled, so whatever the buffer holds is alive now.
            var stalled = Baseline();
            retained = stalled - baseline;
            gate.Set();
            await WaitUntilAsync(() => totals["jetstream.client.buffer.depth"] == 0, "the buffer drained", Deadline, token, State);

            // What the drain freed is what the buffer held: unlike the growth from the baseline, it does not depend on
            // what other tests left alive when the baseline was taken (the server's own events are alive in both).
            held = stalled - Baseline();
            server.Publish(Event(total));
            await marker.Task.WaitAsync(Deadline, token);
        }

        clock.Stop();
        return new SlowRun(
            totals["jetstream.client.events.received"],
            Interlocked.Read(ref delivered),
            totals["jetstream.client.events.dropped"],
            inOrder,
            server.Connections.Count,
            baseline,
            retained,
            held,
            clock.Elapsed);
    }

    private static long Baseline()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed record SlowRun(long Received, long Delivered, long Dropped, bool InOrder, int Connections, long Baseline, long RetainedGrowth, long HeldByBuffer, TimeSpan Elapsed);
}
