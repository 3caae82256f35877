using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Reactive.Linq;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// The .NET clients, each run in its own process (<c>client KIND URL COUNT BYTES</c>): one untimed pass to warm up, then
/// a timed pass whose figures are printed as JSON. The process is the unit of CPU, allocation and peak-RSS accounting.
/// </summary>
internal static class DotnetClients
{
    public static async Task<ClientResult> RunAsync(string kind, Uri url, int count, long bytes)
    {
        Func<Task> pass = kind switch
        {
            "raw" => () => RawPassAsync(url, count),
            "library-text" => () => LibraryPassAsync(url, count, JetstreamCompression.None),
            "library-zstd" => () => LibraryPassAsync(url, count, JetstreamCompression.Zstd),
            "slow-consumer" or "slow-consumer-64mb" or "cold-library" => () => Task.CompletedTask,
            _ => throw new ArgumentException($"unknown client kind '{kind}'; use raw, library-text, library-zstd, cold-library, slow-consumer or slow-consumer-64mb"),
        };

        if (kind == "cold-library")
        {
            // The first pass of a fresh process, nothing warmed: the harness times this process from start to exit.
            var clock0 = Stopwatch.StartNew();
            await LibraryPassAsync(url, count, JetstreamCompression.None);
            return new ClientResult { Client = kind, Events = count, Bytes = bytes, Seconds = clock0.Elapsed.TotalSeconds, PeakRssBytes = Environment.WorkingSet };
        }

        if (kind.StartsWith("slow-consumer", StringComparison.Ordinal))
        {
            return await SlowConsumerAsync(kind, url, count, bytes);
        }

        await pass(); // warm-up: JIT, tiered compilation, pools
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await pass();
        clock.Stop();
        process.Refresh();
        return new ClientResult
        {
            Client = kind,
            Events = count,
            Bytes = bytes,
            Seconds = clock.Elapsed.TotalSeconds,
            CpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds,
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated,
            PeakRssBytes = process.PeakWorkingSet64,
        };
    }

    /// <summary>The ceiling: a bare ClientWebSocket loop that only counts complete messages.</summary>
    private static async Task RawPassAsync(Uri url, int count)
    {
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(url, "/subscribe"), CancellationToken.None);
        var buffer = new byte[64 * 1024];
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
    private static async Task LibraryPassAsync(Uri url, int count, JetstreamCompression compression)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        using var subscription = JetstreamObservable.Connect(new JetstreamOptions { Endpoint = url, BufferCapacity = 100_000, Compression = compression })
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

    /// <summary>A handler that takes 100 µs per event: the buffer bounds memory and the counts must add up exactly.</summary>
    private static async Task<ClientResult> SlowConsumerAsync(string kind, Uri url, int count, long bytes)
    {
        using var listener = new MeterListener();
        long received = 0, dropped = 0, depth = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JetstreamTelemetry.MeterName && instrument.Name is "jetstream.client.events.received" or "jetstream.client.events.dropped" or "jetstream.client.buffer.depth")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "jetstream.client.events.received":
                    Interlocked.Add(ref received, value);
                    break;
                case "jetstream.client.events.dropped":
                    Interlocked.Add(ref dropped, value);
                    break;
                default:
                    Interlocked.Add(ref depth, value);
                    break;
            }
        });
        listener.Start();

        long delivered = 0, peakHeap = 0;
        var clock = Stopwatch.StartNew();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        long result;
        using (JetstreamObservable.Connect(new JetstreamOptions { Endpoint = url }).Subscribe(_ =>
        {
            var spin = Stopwatch.StartNew();
            while (spin.Elapsed.Ticks < TimeSpan.TicksPerMillisecond / 10)
            {
                Thread.SpinWait(20);
            }

            Interlocked.Increment(ref delivered);
        }))
        {
            var deadline = Stopwatch.StartNew();
            while (Interlocked.Read(ref received) < count && deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(10);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
            }

            // Everything is read; let the slow handler drain the buffer, then every received event is either
            // delivered or dropped.
            result = Interlocked.Read(ref received);
            while ((Interlocked.Read(ref depth) > 0 || Interlocked.Read(ref delivered) + Interlocked.Read(ref dropped) < result) && deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(10);
            }
        }

        clock.Stop();
        process.Refresh();
        var d = Interlocked.Read(ref delivered);
        return new ClientResult
        {
            Client = kind,
            Events = result,
            Bytes = bytes,
            Seconds = clock.Elapsed.TotalSeconds,
            CpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds,
            AllocatedBytes = -1,
            PeakRssBytes = process.PeakWorkingSet64,
            Received = result,
            Delivered = d,
            Dropped = Interlocked.Read(ref dropped),
            Queued = result - d - Interlocked.Read(ref dropped),
            PeakHeapBytes = peakHeap,
            HeapLimitBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            Gen0Collections = GC.CollectionCount(0),
        };
    }
}
