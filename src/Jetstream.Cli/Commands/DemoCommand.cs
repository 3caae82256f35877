using System.CommandLine;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive;
using Jetstream.Reactive.Testing;

namespace Jetstream.Cli.Commands;

/// <summary>
/// <c>jetstream demo</c>: no network needed. A local emulator plays the bundled real Bluesky events in a loop, live at a
/// rate, and the <c>stats</c> dashboard watches it.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The demo's default rate, in events per second.</summary>
    public const double DefaultRate = 250;

    public static Command Create(CliConsole console)
    {
        var rate = new Option<string>("--rate") { Description = $"Events per second the emulator sends. Default {DefaultRate:0}.", HelpName = "events/s" };
        var duration = new Option<string>("--duration") { Description = "Stop after this long (30s, 5m). Default: until Ctrl+C.", HelpName = "duration" };
        var interval = new Option<string>("--interval")
        {
            Description = "When standard output is not a terminal, print the dashboard this often (default 5s).",
            HelpName = "duration",
        };
        var command = new Command("demo", "Start here, no network needed: a local Jetstream emulator plays real Bluesky events in a loop and the stats dashboard watches it.");
        command.Add(rate);
        command.Add(duration);
        command.Add(interval);
        command.SetAction(async (parse, token) =>
        {
            var eventsPerSecond = parse.GetValue(rate) is { } r ? ValueParsers.Rate("--rate", r) : DefaultRate;
            var stop = parse.GetValue(duration) is { } d ? ValueParsers.Duration("--duration", d) : (TimeSpan?)null;
            var every = parse.GetValue(interval) is { } i ? ValueParsers.Duration("--interval", i) : TimeSpan.FromSeconds(5);
            await using var server = await JetstreamTestServer.StartAsync(
                new JetstreamTestServerOptions
                {
                    Events = JetstreamEventSource.BundledRealEvents,
                    Mode = EmulatorMode.Live,
                    EventsPerSecond = eventsPerSecond,
                    LoopSource = true,
                },
                token);
            var endpoint = server.Uri.ToString().TrimEnd('/');
            await console.Error.WriteLineAsync(
                $"demo: a local Jetstream emulator at {endpoint} plays {JetstreamEventSource.BundledRealEvents.Read().Count()} real Bluesky events in a loop at {eventsPerSecond:N0} events/s. "
                + "Ctrl+C stops. For the real network: jetstream stats (or tail) --collection app.bsky.feed.post");
            var settings = new ConnectionOptions.Settings(new JetstreamOptions { Endpoint = server.Uri }, [], Verbose: false);
            return await StatsCommand.RunAsync(console, settings, $"demo emulator {endpoint}", stop, every, token);
        });
        return command;
    }
}
