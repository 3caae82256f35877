using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// The cold rows: a fresh process per measurement, timed from <see cref="Process.Start()"/> to the process's exit after
/// the N-th event of its first connection (it stops by itself at N). Each client runs with N = 1 (start-up to the first
/// event) and with N = the corpus size (first-connection throughput), repeated and interleaved, medians reported.
/// Clients: the library under the JIT (this program's <c>client cold-library</c>), the shipped CLI as the .NET tool
/// runs it (JIT, <c>jetstream stats --limit N</c>), the same CLI published Native AOT, and the JavaScript peers.
/// </summary>
internal static class ColdStart
{
    public const string BeginMarker = "<!-- cold-start: begin -->";
    public const string EndMarker = "<!-- cold-start: end -->";

    /// <summary>The shipped CLI's first-connection throughput must be at least this multiple of @skyware/jetstream's.</summary>
    public const double CliTargetFactor = 2.0;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    /// <summary>One way to start a client that stops by itself after <c>count</c> events.</summary>
    public sealed record Runner(string Client, string Form, string File, Func<int, string[]> Arguments, string Directory, IReadOnlyDictionary<string, string>? Environment = null);

    public static async Task<IReadOnlyList<ColdResult>> RunAsync(IReadOnlyList<Runner> runners, int events, int repeats)
    {
        var first = runners.ToDictionary(r => r.Client, _ => new List<double>());
        var nth = runners.ToDictionary(r => r.Client, _ => new List<double>());

        // Warm the file cache and the node module cache once, untimed, so the first timed client is not the one that pays for the disk.
        foreach (var runner in runners)
        {
            await TimeAsync(runner, 1);
        }

        // Interleaved: a burst of load from another process on this shared machine lands on every client alike.
        for (var i = 0; i < repeats; i++)
        {
            foreach (var runner in runners)
            {
                first[runner.Client].Add(await TimeAsync(runner, 1));
                nth[runner.Client].Add(await TimeAsync(runner, events));
                Console.WriteLine($"  cold {runner.Client,-34} run {i + 1}/{repeats}: first event {first[runner.Client][^1] * 1000,7:F0} ms, event {events:N0} at {nth[runner.Client][^1],6:F2} s");
            }
        }

        return runners.Select(r => new ColdResult(r.Client, r.Form, events, Median(first[r.Client]), Median(nth[r.Client]), nth[r.Client].Min(), nth[r.Client].Max())).ToList();
    }

    /// <summary>Seconds from starting the process to its exit after <paramref name="count"/> events.</summary>
    private static async Task<double> TimeAsync(Runner runner, int count)
    {
        var start = new ProcessStartInfo(runner.File) { WorkingDirectory = runner.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in runner.Arguments(count))
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (name, value) in runner.Environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {runner.File}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cold run of {runner.Client} ({count:N0} events) did not finish within {RunTimeout.TotalMinutes} minutes and was stopped:\n{await stderr}");
        }

        clock.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cold run of {runner.Client} ({count:N0} events) exited with {process.ExitCode}:\n{await stderr}\n{await stdout}");
        }

        return clock.Elapsed.TotalSeconds;
    }

    public static List<Check> Check(IReadOnlyList<ColdResult> results)
    {
        var checks = new List<Check>();
        var skyware = results.FirstOrDefault(r => r.Client == "@skyware/jetstream");
        var aot = results.FirstOrDefault(r => r.Form == "Native AOT");
        if (skyware is not null && aot is not null)
        {
            var factor = aot.EventsPerSecond / skyware.EventsPerSecond;
            checks.Add(new Check($"cold: the shipped CLI (Native AOT) first-connection events/s ≥ {CliTargetFactor:F0} × @skyware/jetstream", factor >= CliTargetFactor, $"{factor:F2} ×"));
        }

        return checks;
    }

    public static string Table(IReadOnlyList<ColdResult> results)
    {
        var skyware = results.FirstOrDefault(r => r.Client == "@skyware/jetstream");
        var sb = new StringBuilder();
        sb.AppendLine("| client | form | start → 1st event ms | start → event N s (min–max) | events/s, start → event N | × @skyware/jetstream |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var factor = skyware is null ? "n/a" : (r.EventsPerSecond / skyware.EventsPerSecond).ToString("F2", CultureInfo.InvariantCulture);
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Client} | {r.Form} | {r.FirstEventSeconds * 1000:F0} | {r.NthEventSeconds:F2} ({r.MinNthSeconds:F2}–{r.MaxNthSeconds:F2}) | {r.EventsPerSecond:N0} | {factor} |");
        }

        return sb.ToString();
    }

    /// <summary>The cold section of docs/benchmarks.md, between its markers.</summary>
    public static string Markdown(IReadOnlyList<ColdResult> results, IReadOnlyList<Check> checks, string command, int events, int repeats, string machine, string notes)
    {
        var sb = new StringBuilder();
        sb.AppendLine(BeginMarker);
        sb.AppendLine("## Cold start: the first connection of a fresh process");
        sb.AppendLine();
        // The machine is shared: the load says how far to trust the absolute figures (the ratios of one run hold better).
        var load = File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        sb.AppendLine(CultureInfo.InvariantCulture, $"Written by `{command}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Machine: {machine}; load average (1 / 5 / 15 min) at the end of the run: {load}.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Each figure is a fresh process, timed by the harness from starting it to its exit after the N-th event of its first connection to the same loopback server as above (N = 1 for the first event, N = {events:N0} for the rest; every client stops by itself at N). Start-up, JIT or not, the handshake and process exit are all inside. Medians of {repeats} runs per client, interleaved so that a burst of load from elsewhere lands on every client alike.");
        sb.AppendLine();
        sb.AppendLine("- `library (JIT)`: `JetstreamObservable.Connect(...).Subscribe(...)` counting events, in a plain `dotnet` process with default runtime settings (the benchmark program's `client cold-library`): v1 text frames, and the same with `Compression = Zstd` (v1 zstd frames) and with `Protocol = V2` (v2 text frames).");
        sb.AppendLine("- `jetstream stats --limit N`: the shipped CLI (decode, the dashboard's per-kind and per-collection counters, the final dashboard), as the .NET tool runs it (`dotnet jetstream.dll`, JIT) and as the Native AOT binary that `dotnet publish -r <rid>` makes.");
        sb.AppendLine("- `@skyware/jetstream`, `@atcute/jetstream`: the same scripts as above, one pass, no warm-up.");
        sb.AppendLine();
        sb.AppendLine(Table(results));
        foreach (var check in checks)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {(check.Passed ? "met" : "**missed**")}: {check.Description}: {check.Actual}");
        }

        if (notes.Length > 0)
        {
            sb.AppendLine();
            sb.AppendLine(notes);
        }

        sb.AppendLine(EndMarker);
        return sb.ToString();
    }

    /// <summary>The cold section of <paramref name="document"/>, markers included, or null when it has none.</summary>
    public static string? Section(string document)
    {
        var begin = document.IndexOf(BeginMarker, StringComparison.Ordinal);
        var end = document.IndexOf(EndMarker, StringComparison.Ordinal);
        return begin >= 0 && end > begin ? document[begin..(end + EndMarker.Length)] + "\n" : null;
    }

    /// <summary>Replaces the cold section of <paramref name="document"/>, or puts it before the micro-benchmarks.</summary>
    public static string Splice(string document, string section)
    {
        var begin = document.IndexOf(BeginMarker, StringComparison.Ordinal);
        var end = document.IndexOf(EndMarker, StringComparison.Ordinal);
        if (begin >= 0 && end > begin)
        {
            var after = document[(end + EndMarker.Length)..].TrimStart('\n');
            return document[..begin] + section + "\n" + after;
        }

        var micro = document.IndexOf("## Micro-benchmarks", StringComparison.Ordinal);
        return micro >= 0 ? document[..micro] + section + "\n" + document[micro..] : document.TrimEnd('\n') + "\n\n" + section;
    }

    /// <summary>
    /// The runners for this machine: the library (v1 text; with <paramref name="allForms"/> also v1 zstd and v2 text), the
    /// CLI as a tool and as AOT, and (with a node directory) the peers.
    /// </summary>
    public static List<Runner> Runners(Uri url, long bytes, string toolDll, string aotBinary, string? nodeDir, bool allForms = true)
    {
        var self = Environment.ProcessPath!;
        var viaDotnet = Path.GetFileNameWithoutExtension(self) == "dotnet";
        var dotnet = viaDotnet ? self : "dotnet";
        Runner Library(string client, string kind) => new(client, "JIT", self, n => viaDotnet
            ? [typeof(ColdStart).Assembly.Location, "client", kind, url.ToString(), n.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture)]
            : ["client", kind, url.ToString(), n.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture)], AppContext.BaseDirectory);
        var runners = new List<Runner>
        {
            Library("library (JIT)", "cold-library"),
            new("jetstream stats (.NET tool)", "JIT", dotnet, n => [toolDll, .. CliArguments(url, n)], Path.GetDirectoryName(toolDll)!),
            new("jetstream stats (Native AOT)", "Native AOT", aotBinary, n => CliArguments(url, n), Path.GetDirectoryName(aotBinary)!),
        };
        if (allForms)
        {
            runners.Insert(1, Library("library (JIT), v1 zstd", "cold-library-v1-zstd"));
            runners.Insert(2, Library("library (JIT), v2 text", "cold-library-v2-text"));
        }

        if (nodeDir is not null)
        {
            var cold = new Dictionary<string, string> { ["JETSTREAM_COLD"] = "1" };
            runners.Add(new("@skyware/jetstream", "node", "node", n => ["skyware.mjs", url.ToString(), n.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture)], nodeDir, cold));
            runners.Add(new("@atcute/jetstream", "node", "node", n => ["atcute.mjs", url.ToString(), n.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture)], nodeDir, cold));
        }

        return runners;
    }

    /// <summary>
    /// The shipped CLI's form for this machine: builds the tool (Release) and publishes the AOT binary when none is given.
    /// Returns the tool's dll and the AOT binary.
    /// </summary>
    public static async Task<(string ToolDll, string AotBinary)> PrepareCliAsync(string root, string? aotBinary)
    {
        var cli = Path.Combine(root, "src", "Jetstream.Cli", "Jetstream.Cli.csproj");
        Console.WriteLine("Building the CLI (Release) for its .NET tool form…");
        await RunToolAsync("dotnet", ["build", cli, "-c", "Release", "-v", "quiet", "-nologo"], root);
        var toolDll = Path.Combine(root, "src", "Jetstream.Cli", "bin", "Release", "net10.0", "jetstream.dll");
        if (aotBinary is null)
        {
            var rid = RuntimeInformation.RuntimeIdentifier;
            var output = Path.Combine(root, "artifacts", "aot", rid);
            Console.WriteLine($"Publishing the CLI as Native AOT ({rid}) into artifacts/aot; this takes minutes…");
            await RunToolAsync("dotnet", ["publish", cli, "-c", "Release", "-r", rid, "-o", output, "-v", "quiet", "-nologo"], root);
            aotBinary = Path.Combine(output, "jetstream");
        }

        if (!File.Exists(toolDll) || !File.Exists(aotBinary))
        {
            throw new FileNotFoundException($"the CLI's forms are missing ({toolDll}, {aotBinary})");
        }

        return (toolDll, aotBinary);
    }

    private static string[] CliArguments(Uri url, int count) =>
        ["stats", "--endpoint", url.ToString(), "--limit", count.ToString(CultureInfo.InvariantCulture), "--interval", "1h"];

    private static async Task RunToolAsync(string file, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
