using System.Diagnostics;
using System.Globalization;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Testing;

namespace Jetstream.Reactive.Benchmarks.Archive;

/// <summary>
/// <c>archive [--events N]</c>: archive decode throughput (reader only) and a whole backfill against the emulator on
/// loopback, each as events/s, CPU µs per event (process CPU time, both sides for the backfill) and bytes allocated per event.
/// </summary>
internal static class ArchiveHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = 200_000;
        for (var i = 1; i < args.Length - 1; i++)
        {
            if (args[i] == "--events")
            {
                events = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        Console.WriteLine($"building {events:N0} archive rows from the bundled real events ...");
        var segments = ArchiveCorpus.Build(events);
        Console.WriteLine($"{segments.Count} segments, {segments.Sum(s => (long)s.Length) / 1024.0 / 1024:N1} MiB sealed");

        // Warm-up, then the measured pass: the reader alone.
        Decode(segments.Take(1).ToList());
        var decode = Measure(() => Decode(segments));
        Report("archive decode (reader, 1 thread)", decode, events);

        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions());
        foreach (var segment in segments)
        {
            server.AddArchiveSegment(segment);
        }

        var options = new JetstreamBackfillOptions(new JetstreamOptions { Protocol = JetstreamProtocol.V2, Endpoint = server.Uri })
        {
            SnapshotOnly = true,
            DownloadConcurrency = 4,
        };
        await JetstreamArchive.Backfill(options).Take(1000).LastAsync().ToTask();
        var backfill = await MeasureAsync(async () => (int)await JetstreamArchive.Backfill(options).LongCount().ToTask());
        Report("whole backfill vs emulator (loopback, concurrency 4)", backfill, events);
        return 0;
    }

    private static int Decode(List<byte[]> segments)
    {
        var count = 0;
        foreach (var bytes in segments)
        {
            using var reader = JssSegmentReader.Open(new MemoryStream(bytes));
            for (var b = 0; b < reader.Blocks.Count; b++)
            {
                count += reader.ReadBlock(b).Events.Count;
            }
        }

        return count;
    }

    private static (int Count, TimeSpan Wall, TimeSpan Cpu, long Allocated) Measure(Func<int> run) =>
        MeasureAsync(() => Task.FromResult(run())).GetAwaiter().GetResult();

    private static async Task<(int Count, TimeSpan Wall, TimeSpan Cpu, long Allocated)> MeasureAsync(Func<Task<int>> run)
    {
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var count = await run();
        watch.Stop();
        process.Refresh();
        return (count, watch.Elapsed, process.TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    private static void Report(string name, (int Count, TimeSpan Wall, TimeSpan Cpu, long Allocated) m, int expected)
    {
        if (m.Count != expected)
        {
            throw new InvalidOperationException($"{name}: {m.Count} events, expected {expected}");
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name}: {m.Count:N0} events in {m.Wall.TotalSeconds:N2} s = {m.Count / m.Wall.TotalSeconds:N0} events/s; CPU {m.Cpu.TotalMicroseconds / m.Count:N2} µs/event; {m.Allocated / (double)m.Count:N0} B allocated/event"));
    }
}
