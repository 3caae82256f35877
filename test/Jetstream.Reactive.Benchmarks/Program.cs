using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Running;
using Jetstream.Reactive.Benchmarks.EndToEnd;

namespace Jetstream.Reactive.Benchmarks;

/// <summary>
/// <c>micro [BenchmarkDotNet args]</c>: the micro-benchmarks. <c>e2e [--events N] [--no-node] [--no-write] [--smoke]</c>:
/// the end-to-end harness. <c>nats [--events N] [--no-write]</c>: the NATS scale-out relay and consumer against their ceilings. <c>client KIND URL COUNT BYTES</c>: one .NET client, run by the harness in its own process.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "micro":
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
                return 0;
            case "e2e":
                return await Harness.RunAsync(args);
            case "nats":
                return await NatsBench.RunAsync(args);
            case "client" when args.Length == 5:
                var result = await DotnetClients.RunAsync(args[1], new Uri(args[2]), int.Parse(args[3], CultureInfo.InvariantCulture), long.Parse(args[4], CultureInfo.InvariantCulture));
                Console.WriteLine(JsonSerializer.Serialize(result));
                return 0;
            default:
                Console.Error.WriteLine("usage: micro [BenchmarkDotNet args] | e2e [--events N] [--no-node] [--no-write] [--smoke] | nats [--events N] [--no-write] | client KIND URL COUNT BYTES");
                return 2;
        }
    }
}
