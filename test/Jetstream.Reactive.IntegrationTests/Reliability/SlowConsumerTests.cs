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
    /// The bound on the managed heap's growth during the run, above a baseline taken after a forced collection with
    /// the server's whole log already in memory. What may legitimately be there:
    /// <list type="bullet">
    /// <item>the buffer: at most <see cref="BufferCapacity"/> decoded events of under 1 KB each (strings, the
    /// record's bytes, the objects; the control test measures 620 to 740 bytes), so at most 10 MB;</item>
    /// <item>garbage no collection has reclaimed yet, because <see cref="GC.GetTotalMemory(bool)"/> without a forced
    /// collection counts it: up to one gen0 budget of decoded-then-dropped events (the workstation GC sizes it from
    /// the L3 cache, about half of it: 16.7 MB on the 2-core, 32 MB-L3 machine of docs/reliability.md), and the few
    /// that were in flight at a gen0 collection and wait in gen1 or gen2 for a full one;</item>
    /// <item>socket, pipe and pooled buffers: a few MB.</item>
    /// </list>
    /// That is 25 to 40 MB (24 MiB measured at 100,000 events, 38 MiB at 1,000,000 in the soak, where the big baseline
    /// makes full collections rare). 64 MiB leaves room, and does not grow with the number of events. A buffer without
    /// a bound holds every event instead: about 130 MiB for the control's 200,000 events, which
    /// <see cref="Connect_BufferAsLargeAsTheStream_HeapGrowsPastTheBound"/> shows the same measurement catches.
    /// </summary>
    private const long HeapBound = 64L * 1024 * 1024;

    private const double Mib = 1024 * 1024;

    [Test]
    public async Task Connect_SubscriberStalledDuringAFastStream_HeapBoundedAndReceivedEqualsDeliveredPlusDropped(CancellationToken token)
    {
        var total = 100_000 * Factor;
        var run = await RunAsync(total, BufferCapacity, token);

        Assert.That(run.Connections, Is.EqualTo(1), "the socket was read at full speed: the server never dropped a slow reader");
        Assert.That(run.Received, Is.EqualTo(total + 1), "every event the server sent, the last one included");
        Assert.That(run.Received, Is.EqualTo(run.Delivered + run.Dropped), "received = delivered + dropped, exactly");
        Assert.That(run.Delivered, Is.LessThanOrEqualTo(BufferCapacity + 2), "the one in the handler, the buffer's worth, and the last");
        Assert.That(run.InOrder, Is.True, "what was delivered came in order, each once");
        Assert.That(run.PeakHeapGrowth, Is.LessThan(HeapBound), $"peak heap growth {run.PeakHeapGrowth / Mib:F1} MiB");
        Report($"slow consumer: {total:N0} events, received {run.Received:N0} = delivered {run.Delivered:N0} + dropped {run.Dropped:N0}, " +
            $"peak heap growth {run.PeakHeapGrowth / Mib:F1} MiB (bound {HeapBound / Mib:F0} MiB, baseline {run.Baseline / Mib:F1} MiB), {run.Elapsed.TotalSeconds:F1} s");
    }

    [Test]
    public async Task Connect_BufferAsLargeAsTheStream_HeapGrowsPastTheBound(CancellationToken token)
    {
        // The control: with room for every event, the stalled subscriber's buffer keeps them all, and the same
        // measurement sees the heap grow past the bound. Without this, a bound that nothing could exceed would pass.
        var total = 200_000 * Factor;
        var run = await RunAsync(total, total + 1, token);

        Assert.That(run.Dropped, Is.Zero);
        Assert.That(run.Delivered, Is.EqualTo(total + 1));
        Assert.That(run.PeakHeapGrowth, Is.GreaterThan(HeapBound), $"peak heap growth {run.PeakHeapGrowth / Mib:F1} MiB");
        Report($"slow consumer control (unbounded buffer): {total:N0} events, peak heap growth {run.PeakHeapGrowth / Mib:F1} MiB, " +
            $"{run.PeakHeapGrowth / (double)total:F0} bytes per buffered event");
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
        using var sampler = new HeapSampler();
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
            gate.Set();
            await WaitUntilAsync(() => totals["jetstream.client.buffer.depth"] == 0, "the buffer drained", Deadline, token, State);
            server.Publish(Event(total));
            await marker.Task.WaitAsync(Deadline, token);
        }

        clock.Stop();
        var peak = sampler.Stop();
        return new SlowRun(
            totals["jetstream.client.events.received"],
            Interlocked.Read(ref delivered),
            totals["jetstream.client.events.dropped"],
            inOrder,
            server.Connections.Count,
            baseline,
            peak - baseline,
            clock.Elapsed);
    }

    private static long Baseline()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed record SlowRun(long Received, long Delivered, long Dropped, bool InOrder, int Connections, long Baseline, long PeakHeapGrowth, TimeSpan Elapsed);

    /// <summary>Samples <see cref="GC.GetTotalMemory(bool)"/> (no forced collection) every millisecond on a thread of its own.</summary>
    private sealed class HeapSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak;

        public HeapSampler()
        {
            _peak = GC.GetTotalMemory(forceFullCollection: false);
            _thread = new Thread(Sample) { IsBackground = true, Name = "heap sampler" };
            _thread.Start();
        }

        /// <returns>The largest heap size seen.</returns>
        public long Stop()
        {
            _stop = true;
            _thread.Join();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose()
        {
            if (!_stop)
            {
                Stop();
            }
        }

        private void Sample()
        {
            while (!_stop)
            {
                var now = GC.GetTotalMemory(forceFullCollection: false);
                if (now > Interlocked.Read(ref _peak))
                {
                    Interlocked.Exchange(ref _peak, now);
                }

                Thread.Sleep(1);
            }
        }
    }
}
