using System.CommandLine;
using Jetstream.Cli.Infrastructure;
using Jetstream.Cli.Output;
using Jetstream.Reactive;

namespace Jetstream.Cli.Commands;

/// <summary><c>jetstream tail</c>: events to standard output, as JSON lines or compact text lines.</summary>
internal static class TailCommand
{
    private static readonly TimeSpan CursorSaveInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CursorFlushTimeout = TimeSpan.FromSeconds(5);

    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var nats = new NatsOptions();
        var format = new Option<string>("--format", "-f")
        {
            Description = "json: one event object per line (the default when standard output is redirected); text: a compact line per event (the default on a terminal).",
            HelpName = "json|text",
        };
        var cursorFile = new Option<string>("--cursor-file")
        {
            Description = "Resume from the cursor saved in this file, and keep saving the cursor of the last event printed (at-least-once). --cursor applies when the file has none yet.",
            HelpName = "file",
        };
        var startOver = new Option<bool>("--cursor-file-start-over")
        {
            Description = "When the --cursor-file exists but holds no cursor (empty or damaged), rename it to <file>.unreadable and start as if it were new, instead of refusing to start.",
        };
        var limit = new Option<string>("--limit", "-n") { Description = "Stop after this many events.", HelpName = "count" };
        var duration = new Option<string>("--duration") { Description = "Stop after this long (30s, 5m, 1h).", HelpName = "duration" };

        var command = new Command("tail", "Stream events to standard output: JSON lines, or a compact human line per event on a terminal.");
        connection.AddTo(command);
        nats.AddTo(command);
        command.Add(format);
        command.Add(cursorFile);
        command.Add(startOver);
        command.Add(limit);
        command.Add(duration);
        command.SetAction(async (parse, token) =>
        {
            var settings = connection.Read(parse, DateTimeOffset.UtcNow);
            var json = (parse.GetValue(format) is { } f ? ValueParsers.OneOf("--format", f, "json", "text") : console.OutIsTerminal ? "text" : "json") == "json";
            var max = parse.GetValue(limit) is { } l ? ValueParsers.Number("--limit", l, 1, long.MaxValue) : long.MaxValue;
            var stop = parse.GetValue(duration) is { } d ? ValueParsers.Duration("--duration", d) : (TimeSpan?)null;
            var natsSource = nats.Read(parse, settings);
            if (natsSource is not null && parse.GetValue(cursorFile) is { } ignored)
            {
                throw UsageException.For("--cursor-file", ignored, "it does not apply with --nats: use --nats-consumer, whose position the NATS server keeps.");
            }

            var cursors = parse.GetValue(cursorFile) is { } path ? await CursorFile.OpenAsync("--cursor-file", path, parse.GetValue(startOver), token) : null;
            return await RunAsync(console, settings, json, max, stop, cursors, natsSource, token);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, ConnectionOptions.Settings settings, bool json, long limit, TimeSpan? duration, FileCursorStore? cursors, NatsOptions.Source? nats, CancellationToken cancellationToken)
    {
        var options = settings.Options;
        if (settings.Verbose)
        {
            options = options with { LoggerFactory = new WriterLoggerFactory(console.Error) };
        }

        if (cursors is not null)
        {
            // Loaded before connecting (it wins over --cursor), saved every second and when the stream stops (awaited below).
            options = options with { CursorStore = cursors, CursorSaveInterval = CursorSaveInterval };
        }

        var output = console.Out;
        var printer = new EventPrinter(output, json);
        long written = 0;
        JetstreamEvent? last = null;
        JetstreamEvent? handled = null;
        var outputClosed = false;
        string? notSaved = null;
        var error = await StreamRunner.RunAsync(
            nats?.Events() ?? JetstreamObservable.Connect(options),
            e =>
            {
                handled = e;
                if (!settings.Wants(e))
                {
                    return true;
                }

                if (!printer.TryPrint(e))
                {
                    // The reader went away (`jetstream tail | head`): stop quietly, without counting this event; its
                    // acknowledgement is held, so the saved cursor stays at the last event printed.
                    _ = JetstreamAck.Defer();
                    handled = last;
                    outputClosed = true;
                    return false;
                }

                last = e;
                return ++written < limit;
            },
            duration,
            cancellationToken,
            finalSave: cursors is null ? null : (CursorFlushTimeout, failure => notSaved = failure is null ? "in time" : $"({failure.Message.TrimEnd('.')})"));

        if (!outputClosed)
        {
            await output.FlushAsync(CancellationToken.None);
        }

        if (cursors is not null && handled is not null && notSaved is not null)
        {
            await console.Error.WriteLineAsync($"jetstream: the cursor of the last event handled ({handled.Cursor}) could not be saved to {cursors.Path} {notSaved}");
        }

        if (error is not null)
        {
            await console.Error.WriteLineAsync("jetstream: " + StreamRunner.Describe(error));
            return ExitCodes.Failure;
        }

        if (console.ErrorIsTerminal && last is not null && nats is null)
        {
            await console.Error.WriteLineAsync($"jetstream: {written:N0} events; resume with --cursor {last.Cursor}{(cursors is null ? "" : " (saved to " + cursors.Path + ")")}");
        }

        return ExitCodes.Success;
    }
}
