using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using BenchmarkDotNet.Running;
using Jetstream.Reactive.Benchmarks.EndToEnd;

namespace Jetstream.Reactive.Benchmarks;

/// <summary>
/// <c>docs</c>: regenerates the whole of docs/benchmarks.md and its chart (<c>e2e</c>, then <c>nats</c>).
/// <c>micro [BenchmarkDotNet args]</c>: the micro-benchmarks. <c>e2e [--events N] [--no-node] [--no-write] [--smoke]</c>:
/// the end-to-end harness (with the cold rows unless <c>--no-cold</c>). <c>cold [--events N] [--aot PATH]</c>: only the cold
/// rows, written into their section of docs/benchmarks.md. <c>archive [--events N]</c>: archive decode and whole-backfill
/// throughput. <c>nats [--events N] [--no-write]</c>: the NATS scale-out relay and consumer against their ceilings.
/// <c>client KIND URL COUNT BYTES [BUFFER]</c>: one .NET client, run by the harness in its own process. <c>selfcheck</c>:
/// the refusal rules of the e2e harness on made-up rows (also run first by <c>e2e --smoke</c>).
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "micro":
                return Micro(args[1..]);
            case "e2e":
                return await Harness.RunAsync(args);
            case "docs":
                // The one command that regenerates docs/benchmarks.md: the end-to-end rows, the cold rows and the chart,
                // then the NATS section. Refused runs write nothing and stop here.
                var e2e = await Harness.RunAsync(["e2e", .. args[1..]]);
                return e2e != 0 ? e2e : await NatsBench.RunAsync(["nats"]);
            case "archive":
                return await Archive.ArchiveHarness.RunAsync(args);
            case "cold":
                return await Harness.RunColdAsync(args);
            case "client" when args.Length == 5 && args[1].StartsWith("cold-library", StringComparison.Ordinal):
                // Timed from outside, start to exit: no JSON (its reflection-based first use would be timed too).
                await DotnetClients.RunAsync(args[1], new Uri(args[2]), int.Parse(args[3], CultureInfo.InvariantCulture), long.Parse(args[4], CultureInfo.InvariantCulture));
                return 0;
            case "nats":
                return await NatsBench.RunAsync(args);
            case "selfcheck":
                return RunValiditySelfCheck.Run();
            case "client" when args.Length is 5 or 6:
                int? buffer = args.Length == 6 ? int.Parse(args[5], CultureInfo.InvariantCulture) : null;
                var result = await DotnetClients.RunAsync(args[1], new Uri(args[2]), int.Parse(args[3], CultureInfo.InvariantCulture), long.Parse(args[4], CultureInfo.InvariantCulture), buffer);
                Console.WriteLine(JsonSerializer.Serialize(result));
                return 0;
            default:
                Console.Error.WriteLine("usage: docs [e2e options] | micro [BenchmarkDotNet args] | e2e [--events N] [--no-node] [--no-write] [--smoke] [--no-cold] [--aot PATH] [--repeats N] | cold [--events N] [--no-node] [--no-write] [--aot PATH] [--repeats N] | archive [--events N] | nats [--events N] [--no-write] [--smoke] | selfcheck | client KIND URL COUNT BYTES [BUFFER]");
                return 2;
        }
    }

    // Apart from Main so that a client process (timed cold) does not load BenchmarkDotNet when Main is compiled.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Micro(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
