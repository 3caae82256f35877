using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// The end-to-end run: one loopback server with a pre-encoded corpus, then each client in its own process, side by
/// side in one run; prints a table, checks the targets, and (unless told not to) rewrites docs/benchmarks.md and its chart.
/// </summary>
internal static class Harness
{
    /// <summary>The slow consumer's buffer in the smoke run: small, so that events really drop at 2,000 events.</summary>
    public const int SmokeSlowBuffer = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        var smoke = args.Contains("--smoke");
        if (smoke && RunValiditySelfCheck.Run() != 0)
        {
            Console.Error.WriteLine("e2e: the refusal rules' self-check failed");
            return 1;
        }

        var events = Option(args, "--events") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : smoke ? 2_000 : 300_000;
        var withNode = !smoke && !args.Contains("--no-node");
        var write = !smoke && !args.Contains("--no-write");
        var repeats = Option(args, "--repeats") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : smoke ? 1 : 3;
        var command = "dotnet run -c Release --project test/Jetstream.Reactive.Benchmarks -- docs" + (args.Length > 1 ? " " + string.Join(' ', args.Skip(1)) : "");

        Console.WriteLine($"Building a corpus of {events:N0} events and framing it (v1 text, v1 zstd, v2 text)…");
        var corpus = Corpus.Build(events);
        using var server = new PreframedServer(corpus);
        Console.WriteLine($"Serving on {server.Uri} ({corpus.TextBytes / (double)events:F0} B per event on average; frames prepared, {PreframedServer.ChunkBytes / 1024} KiB blocking writes)");

        // Each warm row: the ceiling of its wire form first, then the library on the same frames; the peers read v1 text.
        var kinds = smoke
            ? new[] { ("raw-v1-text", WireForm.V1Text), ("library-v1-text", WireForm.V1Text), ("library-v1-zstd", WireForm.V1Zstd), ("library-v2-text", WireForm.V2Text) }
            : new[] { ("raw-v1-text", WireForm.V1Text), ("library-v1-text", WireForm.V1Text), ("raw-v1-zstd", WireForm.V1Zstd), ("library-v1-zstd", WireForm.V1Zstd), ("raw-v2-text", WireForm.V2Text), ("library-v2-text", WireForm.V2Text) };
        string? nodeVersion = null;
        var nodeDir = Path.Combine(AppContext.BaseDirectory, "node");
        var runs = new List<(string Client, WireForm Form, Func<Task<ClientResult>> Run)>();
        foreach (var (kind, form) in kinds)
        {
            runs.Add((kind, form, () => RunDotnetClientAsync(kind, server.Uri, events, server.WireBytes(form))));
        }

        if (withNode)
        {
            nodeVersion = await NpmInstallAsync(nodeDir);
            foreach (var script in new[] { "skyware.mjs", "atcute.mjs" })
            {
                runs.Add((script, WireForm.V1Text, async () => Parse(await RunAsync("node", ["--expose-gc", script, server.Uri.ToString(), events.ToString(CultureInfo.InvariantCulture), server.WireBytes(WireForm.V1Text).ToString(CultureInfo.InvariantCulture)], nodeDir))));
            }
        }

        // Repeated and interleaved (a burst of load from elsewhere lands on every client alike); the median row is kept.
        var samples = runs.ToDictionary(x => x.Client, _ => new List<ClientResult>());
        for (var i = 0; i < repeats; i++)
        {
            foreach (var (client, form, run) in runs)
            {
                var mark = server.Accepted;
                var result = await run();
                var served = server.ServedSince(mark, TimeSpan.FromSeconds(10));
                result = WithServer(result, form, served);
                samples[client].Add(result);
                Print(result);
            }
        }

        var results = samples.Values.Select(s => s.OrderBy(x => x.EventsPerSecond).ElementAt(s.Count / 2)).ToList();

        // Refused before the slower rows run: a run whose warm rows do not measure the clients is not worth finishing.
        if (!smoke)
        {
            var refusals = RunValidity.Refusals(results);
            if (refusals.Count > 0)
            {
                Console.Error.WriteLine($"e2e: REFUSED: this run's figures do not measure the clients ({refusals.Count} rule(s) broken); docs/benchmarks.md was not written:");
                foreach (var refusal in refusals)
                {
                    Console.Error.WriteLine("  - " + refusal);
                }

                Console.Error.WriteLine(Report.Table(results, []));
                return 3;
            }
        }

        var slowBuffer = smoke ? SmokeSlowBuffer : (int?)null;
        var slow = await RunSlowAsync(server, "slow-consumer", events, corpus.TextBytes, slowBuffer);
        var slowRows = new List<ClientResult> { slow };
        if (!smoke)
        {
            // The same under a 64 MB GC heap limit, as in a container with a memory limit.
            slowRows.Add(await RunSlowAsync(server, "slow-consumer-64mb", events, corpus.TextBytes, null, new() { ["DOTNET_GCHeapHardLimit"] = "0x4000000" }));
        }

        var checks = Report.Check(results, slowRows, corpus.TextBytes / (double)events);

        // The cold rows: in the full run always (unless --no-cold); in the smoke run when CI hands over its AOT binary.
        IReadOnlyList<ColdResult>? cold = null;
        var aot = Option(args, "--aot");
        if (!args.Contains("--no-cold") && (!smoke || aot is not null))
        {
            var (toolDll, aotBinary) = await ColdStart.PrepareCliAsync(FindRepositoryRoot(), aot);
            Console.WriteLine($"Cold rows: {repeats} run(s) per client, first event and event {events:N0}…");
            cold = await ColdStart.RunAsync(ColdStart.Runners(server.Uri, corpus.TextBytes, toolDll, aotBinary, withNode ? nodeDir : null, allForms: !smoke), events, repeats);
            checks.AddRange(ColdStart.Check(cold));
        }

        Console.WriteLine();
        Console.WriteLine(Report.Table(results, slowRows));
        if (cold is not null)
        {
            Console.WriteLine(ColdStart.Table(cold));
        }

        if (smoke)
        {
            Console.WriteLine("(the speed targets below are printed for information; the smoke run checks only the counts)");
        }

        foreach (var check in checks)
        {
            Console.WriteLine($"{(check.Passed ? "PASS" : "MISS")}  {check.Description}: {check.Actual}");
        }

        if (smoke)
        {
            // The smoke run checks that every client works and that the counts add up, never the speed.
            return SmokeVerdict(results, slow, events);
        }

        Console.WriteLine($"Run accepted: server CPU ≤ {RunValidity.MaxServerCpuShare:P0} of the ceiling client's per event on every row; no client above its ceiling by more than {RunValidity.CeilingNoiseMargin:P0}.");
        var countsAddUp = slowRows.All(s => s.ServerFramesSent == s.Delivered + s.Dropped);
        if (write)
        {
            var root = FindRepositoryRoot();
            var machine = Machine(nodeVersion);
            var source = await SourceAsync(root);
            await File.WriteAllTextAsync(Path.Combine(root, "docs", "benchmarks.svg"), Report.Chart(results));
            var markdown = Report.Markdown(results, slowRows, checks.Where(c => !c.Description.StartsWith("cold:", StringComparison.Ordinal)).ToList(), machine, command, source, events, repeats, corpus);
            if (cold is not null)
            {
                markdown = ColdStart.Splice(markdown, ColdStart.Markdown(cold, ColdStart.Check(cold), command, events, repeats, machine, ColdNotes(cold)));
            }

            var page = Path.Combine(root, "docs", "benchmarks.md");
            var old = File.Exists(page) ? await File.ReadAllTextAsync(page) : null;
            if (cold is null && old is not null && ColdStart.Section(old) is { } oldCold)
            {
                // --no-cold: the cold section stays as it was (it says when and how it was measured).
                markdown = ColdStart.Splice(markdown, oldCold);
            }

            await File.WriteAllTextAsync(page, NatsBench.Preserve(old, markdown));
            Console.WriteLine("Wrote docs/benchmarks.md and docs/benchmarks.svg");
        }

        return countsAddUp && results.All(x => x.Events == events) ? 0 : 1;
    }

    /// <summary>
    /// The smoke run's verdict: every client read every event, and the slow consumer dropped for real and its counts
    /// add up against the frames the server wrote (not against the number it was asked for).
    /// </summary>
    private static int SmokeVerdict(IReadOnlyList<ClientResult> results, ClientResult slow, int events)
    {
        var failures = new List<string>();
        foreach (var x in results.Where(x => x.Events != events || x.ServerFramesSent < events))
        {
            failures.Add($"{x.Client} read {x.Events:N0} of {events:N0} events (server wrote {x.ServerFramesSent:N0} frames)");
        }

        failures.AddRange(SlowConsumerFailures(slow, mustDrop: true));
        foreach (var failure in failures)
        {
            Console.Error.WriteLine("e2e smoke: FAILED: " + failure);
        }

        if (failures.Count == 0)
        {
            Console.WriteLine($"e2e smoke: ok: every client read all {events:N0} events; slow consumer: {slow.ServerFramesSent:N0} frames sent = {slow.Delivered:N0} delivered + {slow.Dropped:N0} dropped");
        }

        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>What is wrong with a slow consumer's counts: received (written by the server) = delivered + dropped.</summary>
    public static List<string> SlowConsumerFailures(ClientResult slow, bool mustDrop)
    {
        var failures = new List<string>();
        if (slow.ServerFramesSent is not { } sent || sent == 0)
        {
            failures.Add($"{slow.Client}: the server wrote no frame to it");
            return failures;
        }

        if (sent != slow.Delivered + slow.Dropped)
        {
            failures.Add($"{slow.Client}: received {sent:N0} (frames the server wrote) ≠ delivered {slow.Delivered:N0} + dropped {slow.Dropped:N0} = {slow.Delivered + slow.Dropped:N0}");
        }

        if (slow.Received != sent)
        {
            failures.Add($"{slow.Client}: the library counted {slow.Received:N0} events received, the server wrote {sent:N0}");
        }

        if (mustDrop && (slow.Dropped is not > 0 || slow.Delivered is not > 0))
        {
            failures.Add($"{slow.Client}: expected both deliveries and drops with a {slow.BufferCapacity}-event buffer and a {DotnetClients.SlowHandlerCost.TotalMicroseconds:F0} µs handler, got {slow.Delivered:N0} delivered, {slow.Dropped:N0} dropped: the check would prove nothing");
        }

        return failures;
    }

    private static async Task<ClientResult> RunSlowAsync(PreframedServer server, string kind, int events, long bytes, int? buffer, Dictionary<string, string>? environment = null)
    {
        var mark = server.Accepted;
        var result = await RunDotnetClientAsync(kind, server.Uri, events, bytes, environment, buffer);
        result = WithServer(result, WireForm.V1Text, server.ServedSince(mark, TimeSpan.FromSeconds(10)), allConnections: true);
        Print(result);
        Console.WriteLine($"    server wrote {result.ServerFramesSent:N0} frames; delivered {result.Delivered:N0} + dropped {result.Dropped:N0} = {result.Delivered + result.Dropped:N0}; library counted {result.Received:N0} received");
        return result;
    }

    /// <summary>
    /// The server's side of a client's run: the timed pass is the last connection (the first is the warm-up); for the
    /// slow consumer every connection counts (a reconnect would have been sent the corpus again).
    /// </summary>
    private static ClientResult WithServer(ClientResult result, WireForm form, IReadOnlyList<ServedConnection> served, bool allConnections = false)
    {
        var used = allConnections ? served : served.TakeLast(1).ToList();
        var frames = used.Sum(c => c.FramesSent);
        return result with
        {
            Form = form,
            ServerFramesSent = frames,
            ServerCpuMicrosecondsPerEvent = frames == 0 ? null : used.Sum(c => c.ServerCpuSeconds) * 1e6 / frames,
        };
    }

    /// <summary><c>cold</c>: only the cold rows, written into their section of docs/benchmarks.md.</summary>
    public static async Task<int> RunColdAsync(string[] args)
    {
        var events = Option(args, "--events") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 300_000;
        var repeats = Option(args, "--repeats") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var withNode = !args.Contains("--no-node");
        var write = !args.Contains("--no-write");
        var command = "dotnet run -c Release --project test/Jetstream.Reactive.Benchmarks -- " + string.Join(' ', args);
        var root = FindRepositoryRoot();
        var (toolDll, aotBinary) = await ColdStart.PrepareCliAsync(root, Option(args, "--aot"));

        Console.WriteLine($"Building a corpus of {events:N0} events…");
        var corpus = Corpus.Build(events);
        using var server = new PreframedServer(corpus);
        var nodeDir = Path.Combine(AppContext.BaseDirectory, "node");
        var nodeVersion = withNode ? await NpmInstallAsync(nodeDir) : null;
        Console.WriteLine($"Cold rows against {server.Uri}: {repeats} run(s) per client, first event and event {events:N0}…");
        var cold = await ColdStart.RunAsync(ColdStart.Runners(server.Uri, corpus.TextBytes, toolDll, aotBinary, withNode ? nodeDir : null), events, repeats);
        var checks = ColdStart.Check(cold);
        Console.WriteLine();
        Console.WriteLine(ColdStart.Table(cold));
        foreach (var check in checks)
        {
            Console.WriteLine($"{(check.Passed ? "PASS" : "MISS")}  {check.Description}: {check.Actual}");
        }

        if (write)
        {
            var path = Path.Combine(root, "docs", "benchmarks.md");
            var section = ColdStart.Markdown(cold, checks, command, events, repeats, Machine(nodeVersion), ColdNotes(cold));
            await File.WriteAllTextAsync(path, ColdStart.Splice(await File.ReadAllTextAsync(path), section));
            Console.WriteLine("Wrote the cold section of docs/benchmarks.md");
        }

        return 0;
    }

    /// <summary>What the cold figures say, from the figures themselves: start-up share and the AOT binary's size.</summary>
    private static string ColdNotes(IReadOnlyList<ColdResult> cold)
    {
        var sb = new StringBuilder();
        var jit = cold.FirstOrDefault(c => c.Client == "library (JIT)");
        var aot = cold.FirstOrDefault(c => c.Form == "Native AOT");
        var tool = cold.FirstOrDefault(c => c.Client == "jetstream stats (.NET tool)");
        if (jit is not null && aot is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Native AOT reaches the first event in {aot.FirstEventSeconds * 1000:F0} ms against {jit.FirstEventSeconds * 1000:F0} ms for the library under the JIT");
            if (tool is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $" and {tool.FirstEventSeconds * 1000:F0} ms for the CLI as a .NET tool");
            }

            sb.Append(CultureInfo.InvariantCulture, $"; over the whole first connection it runs at {aot.EventsPerSecond / jit.EventsPerSecond:F2} × the JIT library's events/s.");
        }

        // Where the time goes when the CLI target is missed: start-up or the per-event cost after it.
        var skyware = cold.FirstOrDefault(c => c.Client == "@skyware/jetstream");
        if (aot is not null && skyware is not null && aot.EventsPerSecond < ColdStart.CliTargetFactor * skyware.EventsPerSecond)
        {
            double Steady(ColdResult c) => (c.Events - 1) / Math.Max(1e-6, c.NthEventSeconds - c.FirstEventSeconds);
            sb.AppendLine();
            sb.AppendLine();
            sb.Append(CultureInfo.InvariantCulture, $"Why the CLI target is missed: start-up is {aot.FirstEventSeconds / aot.NthEventSeconds:P0} of the Native AOT CLI's time to event {aot.Events:N0} ({aot.FirstEventSeconds * 1000:F0} ms against {skyware.FirstEventSeconds * 1000:F0} ms for @skyware/jetstream), so AOT has already removed what start-up can give. ");
            sb.Append(CultureInfo.InvariantCulture, $"After the first event it runs at about {Steady(aot):N0} events/s against {Steady(skyware):N0} for @skyware/jetstream ({Steady(aot) / Steady(skyware):F2} ×): the shortfall is the per-event cost of the library's pipeline (the reader thread decoding, the hand-off to the thread pool, and the dashboard's counters), which shares the machine's 2 cores with the loopback server, and AOT code runs without the JIT's dynamic PGO. ");
            sb.Append("Reaching 2 × needs the cheaper reader and batched hand-off of the performance work (issue 16); the AOT CLI inherits it unchanged.");
        }

        return sb.ToString();
    }

    private static async Task<string> NpmInstallAsync(string nodeDir)
    {
        var nodeVersion = (await RunAsync("node", ["--version"], nodeDir)).Trim();
        Console.WriteLine($"npm install in {nodeDir} (node {nodeVersion})…");
        await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], nodeDir);
        return nodeVersion;
    }

    private static async Task<ClientResult> RunDotnetClientAsync(string kind, Uri url, int events, long bytes, Dictionary<string, string>? environment = null, int? buffer = null)
    {
        // Run this same program again: through the dotnet host when that is how we were started, else the app host.
        var host = Environment.ProcessPath!;
        string[] clientArgs = ["client", kind, url.ToString(), events.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture), .. buffer is { } b ? [b.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>()];
        var line = Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? await RunAsync(host, [typeof(Harness).Assembly.Location, .. clientArgs], AppContext.BaseDirectory, environment)
            : await RunAsync(host, clientArgs, AppContext.BaseDirectory, environment);
        return Parse(line);
    }

    private static ClientResult Parse(string output)
    {
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.TrimStart().StartsWith('{'));
        return JsonSerializer.Deserialize<ClientResult>(line) ?? throw new InvalidOperationException("no result from the client");
    }

    private static void Print(ClientResult r) =>
        Console.WriteLine($"  {r.Client,-20} {r.EventsPerSecond,12:N0} events/s  {r.CpuMicrosecondsPerEvent,6:F2} µs CPU/event  server {r.ServerCpuMicrosecondsPerEvent,6:F3} µs/event  {r.PeakRssBytes / 1e6,7:F1} MB peak RSS");

    private static async Task<string> RunAsync(string file, string[] arguments, string directory, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A client that hangs must not outlive the harness.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within 6 minutes and was stopped.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stderr}\n{await stdout}");
        }

        // Clients report notes (such as events a peer's validation rejected) on stderr; pass them on.
        var notes = (await stderr).Trim();
        if (notes.Length > 0)
        {
            Console.WriteLine("    " + notes.Replace("\n", "\n    ", StringComparison.Ordinal));
        }

        return await stdout;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Jetstream.Reactive.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the harness from inside the repository (Jetstream.Reactive.sln not found above the output folder).");
    }

    /// <summary>
    /// The commit and date the figures come from, so the page says which code it measured (a dirty tree says so).
    /// </summary>
    private static async Task<string> SourceAsync(string root)
    {
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        try
        {
            var commit = (await RunAsync("git", ["rev-parse", "--short", "HEAD"], root)).Trim();
            var dirty = (await RunAsync("git", ["status", "--porcelain", "--untracked-files=no"], root)).Trim().Length > 0;
            return $"commit `{commit}`{(dirty ? " with uncommitted changes" : "")}, {date}";
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            return $"{date} (not a git checkout)";
        }
    }

    private static string Machine(string? nodeVersion)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores, {memory ?? "unknown memory"}; ");
        sb.Append(CultureInfo.InvariantCulture, $"{RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}");
        if (nodeVersion is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"; node {nodeVersion}");
        }

        return sb.ToString();
    }
}
