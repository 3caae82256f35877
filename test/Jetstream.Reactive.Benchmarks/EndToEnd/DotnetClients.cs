using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.WebSockets;
using System.Reactive.Linq;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// The .NET clients, each run in its own process (<c>client KIND URL COUNT BYTES [BUFFER]</c>): one untimed pass to warm
/// up, then a timed pass whose figures are printed as JSON. The process is the unit of CPU, allocation and peak-RSS
/// accounting. Kinds: <c>raw-v1-text</c>, <c>raw-v1-zstd</c>, <c>raw-v2-text</c> (the bare <see cref="ClientWebSocket"/>
/// ceiling per wire form), <c>library-v1-text</c>, <c>library-v1-zstd</c>, <c>library-v2-text</c>, <c>cold-library</c> (v1 text), <c>cold-library-v1-zstd</c>, <c>cold-library-v2-text</c>,
/// <c>slow-consumer</c> and <c>slow-consumer-64mb</c> (BUFFER: the buffer capacity, default the library's).
/// </summary>
internal static class DotnetClients
{
    /// <summary>What the slow consumer's handler costs per event.</summary>
    public static readonly TimeSpan SlowHandlerCost = TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond / 10);

    /// <summary>The ceiling's receive buffer.</summary>
    public const int RawBufferBytes = 64 * 1024;

    private const string V1Path = "/subscribe";
    private const string V2Path = "/xrpc/network.bsky.jetstream.subscribeEvents";

    public static async Task<ClientResult> RunAsync(string kind, Uri url, int count, long bytes, int? bufferCapacity = null)
    {
        Func<Task> pass = kind switch
        {
            "raw-v1-text" => () => RawPassAsync(new Uri(url, V1Path), count),
            "raw-v1-zstd" => () => RawPassAsync(new Uri(url, V1Path + "?compress=true"), count),
            "raw-v2-text" => () => RawPassAsync(new Uri(url, V2Path), count),
            "library-v1-text" => () => LibraryPassAsync(url, count, JetstreamProtocol.V1, JetstreamCompression.None),
            "library-v1-zstd" => () => LibraryPassAsync(url, count, JetstreamProtocol.V1, JetstreamCompression.Zstd),
            "library-v2-text" => () => LibraryPassAsync(url, count, JetstreamProtocol.V2, JetstreamCompression.None),
            "slow-consumer" or "slow-consumer-64mb" or "cold-library" or "cold-library-v1-zstd" or "cold-library-v2-text" => () => Task.CompletedTask,
            _ => throw new ArgumentException($"unknown client kind '{kind}'; use raw-v1-text, raw-v1-zstd, raw-v2-text, library-v1-text, library-v1-zstd, library-v2-text, cold-library, cold-library-v1-zstd, cold-library-v2-text, slow-consumer or slow-consumer-64mb"),
        };

        if (kind.StartsWith("cold-library", StringComparison.Ordinal))
        {
            // The first pass of a fresh process, nothing warmed: the harness times this process from start to exit.
            var clock0 = Stopwatch.StartNew();
            await LibraryPassAsync(url, count, kind.EndsWith("v2-text", StringComparison.Ordinal) ? JetstreamProtocol.V2 : JetstreamProtocol.V1, kind.EndsWith("v1-zstd", StringComparison.Ordinal) ? JetstreamCompression.Zstd : JetstreamCompression.None);
            return new ClientResult { Client = kind, Events = count, Bytes = bytes, Seconds = clock0.Elapsed.TotalSeconds, PeakRssBytes = Environment.WorkingSet };
        }

        if (kind.StartsWith("slow-consumer", StringComparison.Ordinal))
        {
            return await SlowConsumerAsync(kind, url, count, bytes, bufferCapacity);
        }

        await pass(); // warm-up: JIT, tiered compilation, pools
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var gen = Generations();
        var workItems = ThreadPool.CompletedWorkItemCount;
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await pass();
        clock.Stop();
        var cpuAfter = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        var workItemsAfter = ThreadPool.CompletedWorkItemCount;
        var genAfter = Generations();
        process.Refresh();
        return new ClientResult
        {
            Client = kind,
            Events = count,
            Bytes = bytes,
            Seconds = clock.Elapsed.TotalSeconds,
            CpuSeconds = (cpuAfter - cpu).TotalSeconds,
            AllocatedBytes = allocatedAfter - allocated,
            PeakRssBytes = process.PeakWorkingSet64,
            ThreadPoolWorkItems = workItemsAfter - workItems,
            Gen0Collections = genAfter[0] - gen[0],
            Gen1Collections = genAfter[1] - gen[1],
            Gen2Collections = genAfter[2] - gen[2],
        };
    }

    private static int[] Generations() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    /// <summary>The ceiling: a bare ClientWebSocket loop with a 64 KiB buffer that only counts complete messages.</summary>
    private static async Task RawPassAsync(Uri url, int count)
    {
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(url, CancellationToken.None);
        var buffer = new byte[RawBufferBytes];
        var messages = 0;
        while (messages < count)
        {
            var r = await ws.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"the server closed after {messages} of {count} messages");
            }

            if (r.EndOfMessage)
            {
                messages++;
            }
        }

        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    /// <summary>The library as a user writes it: Connect, count in Subscribe.</summary>
    private static async Task LibraryPassAsync(Uri url, int count, JetstreamProtocol protocol, JetstreamCompression compression)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        var options = new JetstreamOptions { Endpoint = url, Protocol = protocol, BufferCapacity = 100_000, Compression = compression };
        using var subscription = JetstreamObservable.Connect(options)
            .Subscribe(
                _ =>
                {
                    if (++seen == count)
                    {
                        done.TrySetResult();
                    }
                },
                e => done.TrySetException(e));
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// A handler that takes 100 µs per event: the buffer bounds memory and every event the socket brought must be either
    /// delivered or dropped. Reports the handler's count (delivered), the library's drop and receive counters; the
    /// harness compares them with the frames the server wrote.
    /// </summary>
    private static async Task<ClientResult> SlowConsumerAsync(string kind, Uri url, int count, long bytes, int? bufferCapacity)
    {
        using var listener = new MeterListener();
        long received = 0, dropped = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JetstreamTelemetry.MeterName && instrument.Name is "jetstream.client.events.received" or "jetstream.client.events.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "jetstream.client.events.received")
            {
                Interlocked.Add(ref received, value);
            }
            else
            {
                Interlocked.Add(ref dropped, value);
            }
        });
        listener.Start();

        long delivered = 0, peakHeap = 0;
        var clock = Stopwatch.StartNew();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var gen = Generations();
        var options = new JetstreamOptions { Endpoint = url };
        if (bufferCapacity is { } capacity)
        {
            options = options with { BufferCapacity = capacity };
        }

        using (JetstreamObservable.Connect(options).Subscribe(_ =>
        {
            var spin = Stopwatch.StartNew();
            while (spin.Elapsed < SlowHandlerCost)
            {
                Thread.SpinWait(20);
            }

            Interlocked.Increment(ref delivered);
        }))
        {
            // Until every event of the corpus is accounted for (delivered or dropped), or nothing moved for 5 s (an
            // event lost without being counted: the harness then finds delivered + dropped short of what was sent).
            var settled = Stopwatch.StartNew();
            var deadline = Stopwatch.StartNew();
            long last = -1;
            while (deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(10);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                var now = Interlocked.Read(ref delivered) + Interlocked.Read(ref dropped);
                if (now >= count)
                {
                    break;
                }

                if (now != last)
                {
                    last = now;
                    settled.Restart();
                }
                else if (settled.Elapsed > TimeSpan.FromSeconds(5))
                {
                    break;
                }
            }
        }

        clock.Stop();
        var genAfter = Generations();
        process.Refresh();
        var d = Interlocked.Read(ref delivered);
        var r = Interlocked.Read(ref received);
        var x = Interlocked.Read(ref dropped);
        return new ClientResult
        {
            Client = kind,
            Events = r,
            Bytes = bytes,
            Seconds = clock.Elapsed.TotalSeconds,
            CpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds,
            AllocatedBytes = -1,
            PeakRssBytes = process.PeakWorkingSet64,
            Received = r,
            Delivered = d,
            Dropped = x,
            Queued = r - d - x,
            PeakHeapBytes = peakHeap,
            HeapLimitBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            BufferCapacity = bufferCapacity,
            Gen0Collections = genAfter[0] - gen[0],
            Gen1Collections = genAfter[1] - gen[1],
            Gen2Collections = genAfter[2] - gen[2],
        };
    }
}
