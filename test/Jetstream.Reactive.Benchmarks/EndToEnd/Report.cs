using System.Globalization;
using System.Text;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>The harness's output: the targets checked, a text table, docs/benchmarks.md and an SVG chart.</summary>
internal static class Report
{
    /// <summary>The ceiling row of a row's wire form.</summary>
    public static ClientResult? CeilingOf(IReadOnlyList<ClientResult> results, ClientResult row) =>
        results.FirstOrDefault(r => r.IsCeiling && r.Form == row.Form);

    public static List<Check> Check(IReadOnlyList<ClientResult> results, IReadOnlyList<ClientResult> slowRows, double meanMessageBytes)
    {
        var checks = new List<Check>();
        ClientResult? Find(string name) => results.FirstOrDefault(r => r.Client == name);
        var raw = Find("raw-v1-text");
        var text = Find("library-v1-text");
        var skyware = Find("@skyware/jetstream");
        if (raw is not null && text is not null)
        {
            var share = text.EventsPerSecond / raw.EventsPerSecond;
            checks.Add(new Check("library, v1 text frames ≥ 70 % of the bare ClientWebSocket ceiling", share >= 0.70, $"{share:P0}"));
            checks.Add(new Check("library, v1 text frames: CPU ≤ 3.5 µs per event", text.CpuMicrosecondsPerEvent <= 3.5, $"{text.CpuMicrosecondsPerEvent:F2} µs"));
            checks.Add(new Check("library, v1 text frames: thread-pool work items ≤ 0.05 per event", text.ThreadPoolWorkItemsPerEvent <= 0.05, $"{text.ThreadPoolWorkItemsPerEvent:F3}"));
        }

        var zstd = Find("library-v1-zstd");
        if (text is not null && zstd is not null)
        {
            var share = zstd.EventsPerSecond / text.EventsPerSecond;
            checks.Add(new Check("library, zstd frames ≥ 60 % of the library's text-frame throughput", share >= 0.60, $"{share:P0}"));
        }

        var v2 = Find("library-v2-text");
        if (text is not null && v2 is not null)
        {
            var share = v2.EventsPerSecond / text.EventsPerSecond;
            checks.Add(new Check("library, v2 within 10 % of v1 (text frames)", share >= 0.90, $"{share:P0}"));
        }

        if (text is not null && skyware is not null)
        {
            var factor = text.EventsPerSecond / skyware.EventsPerSecond;
            checks.Add(new Check("library, text frames ≥ 5 × @skyware/jetstream", factor >= 5, $"{factor:F1} ×"));
        }

        if (text is not null)
        {
            var limit = meanMessageBytes + 256;
            checks.Add(new Check($"allocated bytes per event ≤ mean message size + 256 B ({limit:F0} B)", text.AllocatedBytesPerEvent <= limit, $"{text.AllocatedBytesPerEvent:F0} B"));
        }

        foreach (var s in slowRows)
        {
            var gc = s.Client.EndsWith("64mb", StringComparison.Ordinal) ? "64 MB GC heap limit" : "default GC settings";
            checks.Add(new Check($"slow consumer: peak RSS ≤ 100 MB with the default buffer ({gc})", s.PeakRssBytes <= 100_000_000, $"{s.PeakRssBytes / 1e6:F1} MB"));
            checks.Add(new Check($"{s.Client}: received (frames the server wrote) = delivered + dropped, exactly", Harness.SlowConsumerFailures(s, mustDrop: false).Count == 0, $"{s.ServerFramesSent:N0} = {s.Delivered:N0} + {s.Dropped:N0} (library counted {s.Received:N0} received)"));
        }

        return checks;
    }

    public static string Table(IReadOnlyList<ClientResult> results, IReadOnlyList<ClientResult> slowRows)
    {
        static string Or(double value, string format) => double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.AppendLine("| client | frames | events/s | of ceiling | MB/s | client CPU µs/event | server CPU µs/event | allocated B/event | thread-pool items/event | gen0/1/2 GCs | peak RSS MB |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var ceiling = CeilingOf(results, r);
            var share = ceiling is null ? "n/a" : (r.EventsPerSecond / ceiling.EventsPerSecond).ToString("P0", CultureInfo.InvariantCulture);
            var gcs = r.Gen0Collections is null ? "n/a" : $"{r.Gen0Collections}/{r.Gen1Collections}/{r.Gen2Collections}";
            var server = r.ServerCpuMicrosecondsPerEvent is { } sv ? sv.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Client} | {FormName(r.Form)} | {r.EventsPerSecond:N0} | {share} | {r.MegabytesPerSecond:F1} | {r.CpuMicrosecondsPerEvent:F2} | {server} | {Or(r.AllocatedBytesPerEvent, "F0")} | {Or(r.ThreadPoolWorkItemsPerEvent, "F3")} | {gcs} | {r.PeakRssBytes / 1e6:F1} |");
        }

        sb.AppendLine();
        sb.AppendLine("| slow consumer (100 µs per event) | buffer | GC heap limit | received (server) | library received | delivered | dropped | peak managed heap MB | gen0/1/2 GCs | peak RSS MB |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in slowRows)
        {
            var limit = s.Client.EndsWith("64mb", StringComparison.Ordinal) ? "64 MB" : "none";
            var buffer = s.BufferCapacity is { } b ? b.ToString("N0", CultureInfo.InvariantCulture) : "default";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {s.Client} | {buffer} | {limit} | {s.ServerFramesSent:N0} | {s.Received:N0} | {s.Delivered:N0} | {s.Dropped:N0} | {s.PeakHeapBytes / 1e6:F1} | {s.Gen0Collections}/{s.Gen1Collections}/{s.Gen2Collections} | {s.PeakRssBytes / 1e6:F1} |");
        }

        return sb.ToString();
    }

    private static string FormName(WireForm form) => form switch
    {
        WireForm.V1Text => "v1 text",
        WireForm.V1Zstd => "v1 zstd",
        _ => "v2 text",
    };

    public static string Markdown(IReadOnlyList<ClientResult> results, IReadOnlyList<ClientResult> slowRows, IReadOnlyList<Check> checks, string machine, string command, string source, int events, int repeats, Corpus corpus)
    {
        var load = File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        var sb = new StringBuilder();
        sb.AppendLine("# Benchmarks");
        sb.AppendLine();
        sb.AppendLine("This page is written by the benchmark harness; do not edit the figures by hand. Run it again with:");
        sb.AppendLine();
        sb.AppendLine("```sh");
        sb.AppendLine(command);
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Measured on {source}. Machine: {machine}; load average (1 / 5 / 15 min) at the end of the run: {load} (the machine is shared: on a busy one the ratios of one run hold better than the absolute figures).");
        sb.AppendLine();
        sb.AppendLine("## End to end over loopback");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"A loopback server sends {events:N0} events (the bundled real events repeated, only `time_us` rewritten; {corpus.TextBytes / (double)events:F0} B per event on average, {corpus.TextBytes / 1e6:F1} MB in all) as fast as the socket drains. Its cost per event is kept negligible: every frame of each wire form (v1 text, v1 zstd, v2 text) is framed into {PreframedServer.ChunkBytes / 1024} KiB chunks before any client connects, and each connection's thread writes them with blocking `Socket.Send` calls. The server measures its own thread's CPU per connection (the `server CPU` column, for each row's timed connection).");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Each client runs in its own process: one untimed pass, then the timed pass measured here; each client ran {repeats} time(s), interleaved, and the row is the run with the median events/s. CPU is the client process's user + system time; allocation is the .NET runtime's count of managed bytes allocated during the pass (node does not report one); thread-pool items are `ThreadPool.CompletedWorkItemCount` over the pass; GCs are the collections per generation during the pass; peak RSS is the process's high-water mark. `of ceiling` is the share of the bare `ClientWebSocket` loop's events/s on the same frames.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"The harness refuses a run (exit code 3, nothing written) in which the server's CPU per event on any row exceeds {RunValidity.MaxServerCpuShare:P0} of the ceiling client's, or in which any client beats the ceiling of its frames by more than {RunValidity.CeilingNoiseMargin:P0} (run-to-run noise): such a run measures the server, not the clients. `dotnet run -c Release --project test/Jetstream.Reactive.Benchmarks -- selfcheck` checks those rules on made-up rows.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- `raw-v1-text`, `raw-v1-zstd`, `raw-v2-text`: a bare `ClientWebSocket` loop with a {DotnetClients.RawBufferBytes / 1024} KiB buffer that only counts complete messages, the ceiling for any .NET client on those frames.");
        sb.AppendLine("- `library-v1-text`, `library-v2-text`: `JetstreamObservable.Connect(...).Subscribe(...)` counting events, protocol v1 and v2: decoding, buffering and delivery to a thread-pool observer included (`BufferCapacity = 100,000`, so that a moment when the counting observer is descheduled never drops an event and ends the pass short).");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- `library-v1-zstd`: the same with `Compression = Zstd`: the server sends v1 dictionary zstd frames ({corpus.ZstdBytes / (double)events:F0} B per event on the wire); MB/s counts compressed bytes.");
        sb.AppendLine("- `@skyware/jetstream`, `@atcute/jetstream`: the JavaScript clients as their READMEs use them, on node with the `ws` package (v1 text frames).");
        sb.AppendLine();
        sb.AppendLine(Table(results, slowRows));
        sb.AppendLine("The slow consumer's handler spins 100 µs per event with the library's default buffer; everything the handler cannot take is dropped and counted. `received (server)` is the number of frames the server wrote completely to that connection, counted by the server and not by the client; the run passes only if it equals delivered + dropped exactly (and the library's own received counter). Its peak RSS is set mostly by the garbage collector's gen0 budget while the reader allocates each decoded event, dropped or not; the 64 MB row runs the same under a GC heap limit, as in a container with a memory limit.");
        sb.AppendLine();
        sb.AppendLine("![events per second per client](benchmarks.svg)");
        sb.AppendLine();
        sb.AppendLine("## Targets");
        sb.AppendLine();
        foreach (var check in checks)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {(check.Passed ? "met" : "**missed**")}: {check.Description}: {check.Actual}");
        }

        sb.AppendLine();

        sb.AppendLine("## Micro-benchmarks");
        sb.AppendLine();
        sb.AppendLine("BenchmarkDotNet with the memory diagnoser: `dotnet run -c Release --project test/Jetstream.Reactive.Benchmarks -- micro --filter '*'`. See `Micro/` for decode per kind and size, the drop-incoming buffer per item, `SubscribeAsync` per item and zstd decode with the v1 dictionary.");
        return sb.ToString();
    }

    public static string Chart(IReadOnlyList<ClientResult> results)
    {
        const int width = 720, bar = 28, gap = 14, left = 170, top = 40;
        var max = results.Max(r => r.EventsPerSecond);
        var height = top + (results.Count * (bar + gap)) + 20;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\">");
        sb.AppendLine("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Events per second over loopback (higher is better)</text>");
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var y = top + (i * (bar + gap));
            var w = (width - left - 110) * r.EventsPerSecond / max;
            var color = r.Client.StartsWith("library", StringComparison.Ordinal) ? "#2b7bb9" : r.IsCeiling ? "#888888" : "#d98c2b";
            sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{y + 19}\" text-anchor=\"end\">{r.Client}</text>");
            sb.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y}\" width=\"{w:F1}\" height=\"{bar}\" fill=\"{color}\"/>");
            sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left + w + 6:F1}\" y=\"{y + 19}\">{r.EventsPerSecond:N0}</text>");
        }

        sb.AppendLine("</svg>");
        return sb.ToString();
    }
}

/// <summary>One target and whether the run met it.</summary>
internal sealed record Check(string Description, bool Passed, string Actual);
