using System.Globalization;
using System.Text;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>The harness's output: the targets checked, a text table, docs/benchmarks.md and an SVG chart.</summary>
internal static class Report
{
    public static List<Check> Check(IReadOnlyList<ClientResult> results, ClientResult slow, ClientResult limited, double meanMessageBytes)
    {
        var checks = new List<Check>();
        ClientResult? Find(string name) => results.FirstOrDefault(r => r.Client == name);
        var raw = Find("raw");
        var text = Find("library-text");
        var skyware = Find("@skyware/jetstream");
        if (raw is not null && text is not null)
        {
            var share = text.EventsPerSecond / raw.EventsPerSecond;
            checks.Add(new Check("library, text frames ≥ 70 % of the raw ClientWebSocket ceiling", share >= 0.70, $"{share:P0}"));
        }

        var zstd = Find("library-zstd");
        if (text is not null && zstd is not null)
        {
            var share = zstd.EventsPerSecond / text.EventsPerSecond;
            checks.Add(new Check("library, zstd frames ≥ 60 % of the library's text-frame throughput", share >= 0.60, $"{share:P0}"));
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

        checks.Add(new Check("slow consumer: peak RSS ≤ 100 MB with the default buffer (default GC settings)", slow.PeakRssBytes <= 100_000_000, $"{slow.PeakRssBytes / 1e6:F1} MB"));
        checks.Add(new Check("slow consumer: peak RSS ≤ 100 MB with the default buffer (64 MB GC heap limit)", limited.PeakRssBytes <= 100_000_000, $"{limited.PeakRssBytes / 1e6:F1} MB"));
        foreach (var s in new[] { slow, limited })
        {
            checks.Add(new Check($"{s.Client}: received = delivered + dropped, exactly", s.Received == s.Delivered + s.Dropped, $"{s.Received:N0} = {s.Delivered:N0} + {s.Dropped:N0}"));
        }
        return checks;
    }

    public static string Table(IReadOnlyList<ClientResult> results, ClientResult slow, ClientResult limited)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| client | events/s | MB/s | CPU µs/event | allocated B/event | peak RSS MB |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var allocated = double.IsNaN(r.AllocatedBytesPerEvent) ? "n/a" : r.AllocatedBytesPerEvent.ToString("F0", CultureInfo.InvariantCulture);
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Client} | {r.EventsPerSecond:N0} | {r.MegabytesPerSecond:F1} | {r.CpuMicrosecondsPerEvent:F2} | {allocated} | {r.PeakRssBytes / 1e6:F1} |");
        }

        sb.AppendLine();
        sb.AppendLine("| slow consumer (100 µs per event, default 10,000-event buffer) | GC heap limit | received | delivered | dropped | peak managed heap MB | gen0 GCs | peak RSS MB |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in new[] { slow, limited })
        {
            var limit = s.Client.EndsWith("64mb", StringComparison.Ordinal) ? "64 MB" : "none";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {s.Client} | {limit} | {s.Received:N0} | {s.Delivered:N0} | {s.Dropped:N0} | {s.PeakHeapBytes / 1e6:F1} | {s.Gen0Collections} | {s.PeakRssBytes / 1e6:F1} |");
        }
        return sb.ToString();
    }

    public static string Markdown(IReadOnlyList<ClientResult> results, ClientResult slow, ClientResult limited, IReadOnlyList<Check> checks, string machine, string command, string source, int events, Corpus corpus)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Benchmarks");
        sb.AppendLine();
        sb.AppendLine("This page is written by the benchmark harness; do not edit the figures by hand. Run it again with:");
        sb.AppendLine();
        sb.AppendLine("```sh");
        sb.AppendLine(command);
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Measured on {source}. Machine: {machine}.");
        sb.AppendLine();
        sb.AppendLine("## End to end over loopback");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"A loopback server sends {events:N0} events (the bundled real events repeated, only `time_us` rewritten; {corpus.TextBytes / (double)events:F0} B per event on average, {corpus.TextBytes / 1e6:F1} MB in all) as fast as the socket drains. Each client runs in its own process: one untimed pass, then the timed pass measured here. CPU is the client process's user + system time; allocation is the .NET runtime's count of managed bytes allocated during the pass (node does not report one); peak RSS is the process's high-water mark.");
        sb.AppendLine();
        sb.AppendLine("- `raw`: a bare `ClientWebSocket` loop that only counts messages, the ceiling for any .NET client.");
        sb.AppendLine("- `library-text`: `JetstreamObservable.Connect(...).Subscribe(...)` counting events: decoding, buffering and delivery to a thread-pool observer included (`BufferCapacity = 100,000`, so that a moment when the counting observer is descheduled never drops an event and ends the pass short).");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- `library-zstd`: the same with `Compression = Zstd`: the server sends v1 dictionary zstd frames ({corpus.ZstdBytes / (double)events:F0} B per event on the wire); MB/s counts compressed bytes.");
        sb.AppendLine("- `@skyware/jetstream`, `@atcute/jetstream`: the JavaScript clients as their READMEs use them, on node with the `ws` package.");
        sb.AppendLine();
        sb.AppendLine(Table(results, slow, limited));
        sb.AppendLine("The slow consumer's buffer holds at most 10,000 events (about 8 MB of decoded events); everything the handler cannot take is dropped and counted. Its peak RSS is set by the runtime's garbage collector: with default settings, a workstation GC lets gen0 grow to a budget derived from the CPU cache before it collects, and the reader allocates each decoded event (dropped or not) at about 100,000 events per second. Under a GC heap limit, as in a container with a memory limit, the same run stays well inside it with the same counts.");
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
            var color = r.Client.StartsWith("library", StringComparison.Ordinal) ? "#2b7bb9" : r.Client == "raw" ? "#888888" : "#d98c2b";
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
