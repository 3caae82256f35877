using System.CommandLine;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive.Testing;

namespace Jetstream.Cli.Commands;

/// <summary><c>jetstream serve &lt;file&gt;</c>: the emulator on loopback, serving a recording.</summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("file") { Description = "A recording (JSON lines, or .zst) as 'jetstream record' writes it." };
        var rate = new Option<string>("--rate")
        {
            Description = "Serve live at this many events per second (a connection without a cursor starts at the live tail). Default: replay, every event at once.",
            HelpName = "events/s",
        };
        var loop = new Option<bool>("--loop") { Description = "With --rate, start the recording again when it runs out." };
        var port = new Option<string>("--port") { Description = "The loopback port. Default: any free port.", HelpName = "port" };
        var duration = new Option<string>("--duration") { Description = "Stop after this long (30s, 5m, 1h). Default: until Ctrl+C.", HelpName = "duration" };

        var command = new Command("serve", "Serve a recording on 127.0.0.1 as a Jetstream server (v1 and v2), replayed or live at a rate; prints its URL.");
        command.Add(file);
        command.Add(rate);
        command.Add(loop);
        command.Add(port);
        command.Add(duration);
        command.SetAction(async (parse, token) =>
        {
            var path = parse.GetValue(file) ?? string.Empty;
            if (!File.Exists(path))
            {
                throw UsageException.For("<file>", path, "it must be an existing recording (JSON lines, or .zst), such as one 'jetstream record' wrote.");
            }

            var eventsPerSecond = parse.GetValue(rate) is { } r ? ValueParsers.Rate("--rate", r) : (double?)null;
            var looping = parse.GetValue(loop);
            if (looping && eventsPerSecond is null)
            {
                throw new UsageException("--loop needs --rate: a replay serves every event at once, so there is nothing to loop.");
            }

            var options = new JetstreamTestServerOptions
            {
                Events = JetstreamEventSource.FromFile(path),
                Mode = eventsPerSecond is null ? EmulatorMode.Replay : EmulatorMode.Live,
                EventsPerSecond = eventsPerSecond ?? 1_000,
                LoopSource = looping,
                Port = parse.GetValue(port) is { } p ? (int)ValueParsers.Number("--port", p, 0, 65_535) : 0,
            };
            var stop = parse.GetValue(duration) is { } d ? ValueParsers.Duration("--duration", d) : (TimeSpan?)null;
            return await RunAsync(console, path, options, stop, token);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string path, JetstreamTestServerOptions options, TimeSpan? duration, CancellationToken cancellationToken)
    {
        JetstreamTestServer server;
        try
        {
            server = await JetstreamTestServer.StartAsync(options, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ZstdSharp.ZstdException)
        {
            throw new CommandFailure($"cannot serve '{path}': {e.Message.TrimEnd('.')}.", e);
        }

        await using (server)
        {
            // The URL alone on standard output, so a script can read it; the explanation on standard error.
            await console.Out.WriteLineAsync(server.Uri.ToString().TrimEnd('/'));
            await console.Out.FlushAsync(CancellationToken.None);
            var what = options.Mode == EmulatorMode.Replay
                ? $"{server.NextSeq - 1:N0} events from {path}, replayed to each connection from the start"
                : $"{path} live at {options.EventsPerSecond:N0} events/s{(options.LoopSource ? ", looping" : "")}";
            await console.Error.WriteLineAsync($"serving {what}");
            await console.Error.WriteLineAsync($"  v1: {server.Uri.ToString().TrimEnd('/')}/subscribe");
            await console.Error.WriteLineAsync($"  v2: {server.Uri.ToString().TrimEnd('/')}/xrpc/network.bsky.jetstream.subscribeEvents");
            if (server.BadSourceEvents > 0)
            {
                await console.Error.WriteLineAsync($"  skipped {server.BadSourceEvents:N0} lines that are not Jetstream events");
            }

            await console.Error.WriteLineAsync($"try: jetstream tail --endpoint {server.Uri.ToString().TrimEnd('/')}   (Ctrl+C stops the server)");
            try
            {
                await Task.Delay(duration ?? Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: stop the server.
            }
        }

        return ExitCodes.Success;
    }
}
