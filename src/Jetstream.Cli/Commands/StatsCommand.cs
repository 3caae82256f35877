using System.CommandLine;
using Jetstream.Cli.Infrastructure;
using Jetstream.Cli.Stats;
using Jetstream.Reactive;
using Spectre.Console;

namespace Jetstream.Cli.Commands;

/// <summary><c>jetstream stats</c>: a live dashboard of one stream.</summary>
internal static class StatsCommand
{
    /// <summary>The span the dashboard's rates are measured over.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    /// <summary>The stream's buffer for the dashboard: a replay from an old cursor arrives faster than any consumer.</summary>
    public const int StatsBufferCapacity = 200_000;

    private static readonly TimeSpan LiveRefresh = TimeSpan.FromMilliseconds(500);

    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var nats = new NatsOptions();
        var duration = new Option<string>("--duration") { Description = "Stop after this long (30s, 5m, 1h). Default: until Ctrl+C.", HelpName = "duration" };
        var interval = new Option<string>("--interval")
        {
            Description = "When standard output is not a terminal, print the dashboard this often (default 5s); on a terminal it redraws twice a second.",
            HelpName = "duration",
        };
        var limit = new Option<string>("--limit", "-n") { Description = "Stop after this many events (counted after --kind), then print the dashboard once more.", HelpName = "count" };
        var command = new Command("stats", "Show a live dashboard of a stream: events/s overall and per kind, top collections, lag, drops, reconnects, bytes/s, and the catch-up toward now from an old cursor.");
        connection.AddTo(command);
        nats.AddTo(command);
        command.Add(duration);
        command.Add(interval);
        command.Add(limit);
        command.SetAction(async (parse, token) =>
        {
            // The dashboard measures the stream as it comes, drops included (shown); a large buffer absorbs a replay's burst.
            var settings = connection.Read(parse, DateTimeOffset.UtcNow, JetstreamOverflow.DropIncoming);
            settings = settings with { Options = settings.Options with { BufferCapacity = StatsBufferCapacity } };
            var stop = parse.GetValue(duration) is { } d ? ValueParsers.Duration("--duration", d) : (TimeSpan?)null;
            var every = parse.GetValue(interval) is { } i ? ValueParsers.Duration("--interval", i) : TimeSpan.FromSeconds(5);
            var max = parse.GetValue(limit) is { } l ? ValueParsers.Number("--limit", l, 1, long.MaxValue) : long.MaxValue;
            var natsSource = nats.Read(parse, settings);
            return await RunAsync(console, settings, natsSource?.Describe() ?? Describe(settings.Options), stop, every, token, max, natsSource);
        });
        return command;
    }

    /// <summary>Runs the dashboard against a stream (also used by <c>demo</c>).</summary>
    /// <param name="console">Where to draw.</param>
    /// <param name="settings">The stream's options and the kinds to keep.</param>
    /// <param name="source">The title's description of the stream.</param>
    /// <param name="duration">Stop after this long; <see langword="null"/> for no limit.</param>
    /// <param name="interval">How often to print the dashboard when standard output is not a terminal.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <param name="limit">Stop after this many events (those <see cref="ConnectionOptions.Settings.Wants"/> keeps).</param>
    /// <param name="nats">Read from this NATS stream instead of a Jetstream socket; <see langword="null"/> for the socket.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CliConsole console, ConnectionOptions.Settings settings, string source, TimeSpan? duration, TimeSpan interval, CancellationToken cancellationToken, long limit = long.MaxValue, NatsOptions.Source? nats = null)
    {
        long counted = 0;
        using var collector = new StatsCollector();
        var options = settings.Options with { MeterFactory = collector.MeterFactory };
        if (settings.Verbose)
        {
            options = options with { LoggerFactory = new WriterLoggerFactory(console.Error) };
        }

        var calculator = new StatsCalculator(RateWindow, fromCursor: settings.Options.Cursor is not null);
        var snapshot = calculator.Add(collector.Sample(DateTimeOffset.UtcNow));
        var run = StreamRunner.RunAsync(
            nats?.Events() ?? JetstreamObservable.Connect(options),
            e =>
            {
                if (settings.Wants(e))
                {
                    collector.OnEvent(e);
                    return ++counted < limit;
                }

                return true;
            },
            duration,
            cancellationToken);

        var spectre = console.SpectreOut();
        if (console.OutIsTerminal)
        {
            await spectre.Live(Dashboard.Render(snapshot, source)).AutoClear(false).StartAsync(async context =>
            {
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(LiveRefresh, CancellationToken.None));
                    context.UpdateTarget(Dashboard.Render(calculator.Add(collector.Sample(DateTimeOffset.UtcNow)), source));
                    context.Refresh();
                }
            });
        }
        else
        {
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(interval, CancellationToken.None));
                snapshot = calculator.Add(collector.Sample(DateTimeOffset.UtcNow));
                spectre.Write(Dashboard.Render(snapshot, source));
                spectre.WriteLine();
                await console.Out.FlushAsync(CancellationToken.None);
            }
        }

        await console.Out.FlushAsync(CancellationToken.None);
        if (await run is { } error)
        {
            await console.Error.WriteLineAsync("jetstream: " + StreamRunner.Describe(error));
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    /// <summary>The endpoint (or the failover list) and protocol, for titles.</summary>
    public static string Describe(JetstreamOptions options)
    {
        var endpoints = options.Endpoints.Count > 0
            ? string.Join(", ", options.Endpoints)
            : (options.Protocol == JetstreamProtocol.V2 && options.Endpoint == JetstreamOptions.DefaultEndpoint ? JetstreamOptions.DefaultV2Endpoint : options.Endpoint).ToString();
        return $"{endpoints.TrimEnd('/')} ({options.Protocol.ToString().ToLowerInvariant()})";
    }
}
