using System.CommandLine;
using System.Diagnostics;
using Jetstream.Cli.Infrastructure;
using Jetstream.Cli.Output;
using Jetstream.Cli.Stats;
using Jetstream.Reactive;
using Spectre.Console;

namespace Jetstream.Cli.Commands;

/// <summary><c>jetstream record &lt;file&gt;</c>: events into a JSON-lines file (zstd for <c>.zst</c>), resumable.</summary>
internal static class RecordCommand
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LiveRefresh = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PlainProgressInterval = TimeSpan.FromSeconds(5);

    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var file = new Argument<string>("file") { Description = "The recording: JSON lines, zstd-compressed when the name ends in .zst. An existing recording is resumed from its last event." };
        var limit = new Option<string>("--limit", "-n") { Description = "Stop after recording this many events.", HelpName = "count" };
        var duration = new Option<string>("--duration") { Description = "Stop after this long (30s, 5m, 1h).", HelpName = "duration" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Start the file anew instead of resuming it." };

        var command = new Command("record", "Record events to a file as JSON lines (optionally zstd), with progress; run it again to resume from the last event recorded.");
        command.Add(file);
        connection.AddTo(command);
        command.Add(limit);
        command.Add(duration);
        command.Add(overwrite);
        command.SetAction(async (parse, token) =>
        {
            var settings = connection.Read(parse, DateTimeOffset.UtcNow);
            var path = parse.GetValue(file) ?? string.Empty;
            var max = parse.GetValue(limit) is { } l ? ValueParsers.Number("--limit", l, 1, long.MaxValue) : (long?)null;
            var stop = parse.GetValue(duration) is { } d ? ValueParsers.Duration("--duration", d) : (TimeSpan?)null;
            var folder = string.IsNullOrWhiteSpace(path) ? null : Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is null || !Directory.Exists(folder))
            {
                throw UsageException.For("<file>", path, "it must be a file path whose folder exists.");
            }

            RecordFile.CheckTarget(path);

            var resume = parse.GetValue(overwrite) ? null : RecordFile.ReadResumePoint(path);
            if (resume is not null && settings.Options.Cursor is not null)
            {
                throw UsageException.For("--cursor", parse.GetValue(connection.Cursor) ?? "", $"'{path}' already holds events, and recording resumes after the last one; drop --cursor, or add --overwrite to start the file anew.");
            }

            return await RunAsync(console, settings, path, resume, max, stop, token);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, ConnectionOptions.Settings settings, string path, ResumePoint? resume, long? limit, TimeSpan? duration, CancellationToken cancellationToken)
    {
        var options = settings.Options;
        if (settings.Verbose)
        {
            options = options with { LoggerFactory = new WriterLoggerFactory(console.Error) };
        }

        if (resume is not null)
        {
            options = options with { Cursor = resume.Cursor };
        }

        var progress = new Progress(limit, duration, resume?.Events ?? 0);
        var clock = Stopwatch.StartNew();
        var lastFlush = TimeSpan.Zero;
        long? lastCursor = resume?.Cursor;
        var skipping = resume is not null;
        Exception? error;
        await using (var recording = RecordFile.Open(path, resume))
        {
            var run = StreamRunner.RunAsync(
                JetstreamObservable.Connect(options),
                e =>
                {
                    // The replay from the saved cursor is inclusive: the events already in the file come again first.
                    if (skipping && e.Cursor <= resume!.Cursor)
                    {
                        return true;
                    }

                    skipping = false;
                    if (!settings.Wants(e))
                    {
                        return true;
                    }

                    recording.Write(e);
                    lastCursor = e.Cursor;
                    progress.Add(recording.BytesWritten);
                    if (clock.Elapsed - lastFlush >= FlushInterval)
                    {
                        recording.Flush();
                        lastFlush = clock.Elapsed;
                    }

                    return limit is not { } max || progress.Events < max;
                },
                duration,
                cancellationToken);

            await ShowProgressAsync(console, path, progress, clock, run);
            error = await run;
        }

        var size = new FileInfo(path).Length;
        await console.Error.WriteLineAsync(
            $"recorded {Dashboard.Count(progress.Events)} events to {path} ({Dashboard.Bytes(size)} on disk) in {Dashboard.Duration(clock.Elapsed)}; "
            + $"it holds {Dashboard.Count(progress.Events + progress.EventsBefore)} events{(lastCursor is { } c ? $", up to cursor {c}" : "")}");
        if (error is not null)
        {
            await console.Error.WriteLineAsync("jetstream: " + StreamRunner.Describe(error));
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    private static async Task ShowProgressAsync(CliConsole console, string path, Progress progress, Stopwatch clock, Task run)
    {
        if (console.ErrorIsTerminal)
        {
            var spectre = console.SpectreError();
            await spectre.Live(new Markup(progress.Line(path, clock.Elapsed))).AutoClear(true).StartAsync(async context =>
            {
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(LiveRefresh, CancellationToken.None));
                    context.UpdateTarget(new Markup(progress.Line(path, clock.Elapsed)));
                    context.Refresh();
                }
            });
            return;
        }

        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(PlainProgressInterval, CancellationToken.None));
            if (!run.IsCompleted)
            {
                await console.Error.WriteLineAsync(Markup.Remove(progress.Line(path, clock.Elapsed)));
            }
        }
    }

    /// <summary>What the progress display shows; written by the stream's thread, read by the display's.</summary>
    private sealed class Progress(long? limit, TimeSpan? duration, long eventsBefore)
    {
        private long _events;
        private long _bytes;

        public long Events => Interlocked.Read(ref _events);

        public long EventsBefore => eventsBefore;

        public void Add(long bytesWritten)
        {
            Interlocked.Increment(ref _events);
            Interlocked.Exchange(ref _bytes, bytesWritten);
        }

        public string Line(string path, TimeSpan elapsed)
        {
            var events = Events;
            var rate = elapsed.TotalSeconds > 0 ? events / elapsed.TotalSeconds : 0;
            var fraction = (limit, duration) switch
            {
                ({ } max, _) => Math.Min(1, (double)events / max),
                (_, { } d) => Math.Min(1, elapsed / d),
                _ => (double?)null,
            };
            var bar = fraction is { } f ? $"[green]{new string('█', (int)(f * 20))}{new string('░', 20 - (int)(f * 20))}[/] {(f * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture)}% · " : "";
            return $"recording to {Markup.Escape(path)} · {bar}{Dashboard.Count(events)} events · {Dashboard.Rate(rate)}/s · {Dashboard.Bytes(Interlocked.Read(ref _bytes))} of JSON · {Dashboard.Duration(elapsed)}"
                + (eventsBefore > 0 ? $" · resumed after {Dashboard.Count(eventsBefore)}" : "");
        }
    }
}
