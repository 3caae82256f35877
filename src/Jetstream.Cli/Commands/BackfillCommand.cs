using System.CommandLine;
using System.Globalization;
using Jetstream.Cli.Infrastructure;
using Jetstream.Cli.Output;
using Jetstream.Reactive;
using Jetstream.Reactive.Archive;
using Spectre.Console;

namespace Jetstream.Cli.Commands;

/// <summary><c>jetstream backfill</c>: history from the v2 archive in seq order, then live, to standard output.</summary>
internal static class BackfillCommand
{
    private static readonly TimeSpan ProgressRefresh = TimeSpan.FromMilliseconds(250);

    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var from = new Option<string>("--from") { Description = "Replay events after this seq: 0 for the whole archive, or the last seq you processed to resume.", HelpName = "seq", Required = true };
        var to = new Option<string>("--to") { Description = "Stop after this seq (inclusive); implies --snapshot.", HelpName = "seq" };
        var snapshot = new Option<bool>("--snapshot") { Description = "Replay the sealed archive and exit, without going live." };
        var archive = new Option<string>("--archive") { Description = "The archive's http(s) base URL. Default: the --endpoint host over http(s).", HelpName = "url" };
        var keyVariable = new Option<string>("--api-key-env") { Description = "Read the archive API key from this environment variable (never pass keys on the command line).", HelpName = "name" };
        var concurrency = new Option<string>("--concurrency") { Description = "Blocks downloaded and decoded at once, 1 to 64 (output order never changes).", HelpName = "count" };
        var format = new Option<string>("--format", "-f") { Description = "json (default when redirected) or text (default on a terminal).", HelpName = "json|text" };
        var limit = new Option<string>("--limit", "-n") { Description = "Stop after this many events.", HelpName = "count" };
        var duration = new Option<string>("--duration") { Description = "Stop after this long (30s, 5m, 1h).", HelpName = "duration" };

        var command = new Command("backfill", "Replay history from a Jetstream v2 archive in seq order, then continue live with no gap and no duplicate. A progress bar (segments, bytes, events/s, ETA) is drawn on standard error when it is a terminal.");
        connection.AddTo(command);
        command.Add(from);
        command.Add(to);
        command.Add(snapshot);
        command.Add(archive);
        command.Add(keyVariable);
        command.Add(concurrency);
        command.Add(format);
        command.Add(limit);
        command.Add(duration);
        command.SetAction(async (parse, token) =>
        {
            if (parse.GetResult(connection.Protocol) is { Implicit: false } && parse.GetValue(connection.Protocol) is { } protocol && protocol != "v2")
            {
                throw UsageException.For("--protocol", protocol, "the archive is a Jetstream v2 service: leave --protocol out or give v2.");
            }

            if (parse.GetValue(connection.Cursor) is { } cursor)
            {
                throw UsageException.For("--cursor", cursor, "backfill starts from --from SEQ (a v2 seq, not a time).");
            }

            var settings = connection.Read(parse, DateTimeOffset.UtcNow);
            var live = settings.Options with { Protocol = JetstreamProtocol.V2, Kinds = settings.Kinds, Cursor = null };
            if (live.Endpoints.Count == 0 && live.Endpoint == JetstreamOptions.DefaultEndpoint)
            {
                live = live with { Endpoint = JetstreamOptions.DefaultV2Endpoint };
            }

            var after = ValueParsers.Number("--from", parse.GetValue(from)!, 0, JetstreamBackfillOptions.MaxSeq);
            long? before = parse.GetValue(to) is { } t ? ValueParsers.Number("--to", t, after + 1, JetstreamBackfillOptions.MaxSeq) : null;
            Uri? archiveUri = null;
            if (parse.GetValue(archive) is { } a && (!Uri.TryCreate(a, UriKind.Absolute, out archiveUri) || archiveUri.Scheme is not ("http" or "https")))
            {
                throw UsageException.For("--archive", a, "it must be an http:// or https:// URL.");
            }

            string? key = null;
            if (parse.GetValue(keyVariable) is { } variable)
            {
                key = Environment.GetEnvironmentVariable(variable);
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw UsageException.For("--api-key-env", variable, "it must name an environment variable that holds the key.");
                }
            }

            var options = new JetstreamBackfillOptions(live)
            {
                AfterSeq = after,
                BeforeSeq = before,
                SnapshotOnly = before is not null || parse.GetValue(snapshot),
                ArchiveEndpoint = archiveUri,
                ApiKey = key,
            };
            if (parse.GetValue(concurrency) is { } c)
            {
                options = options with { DownloadConcurrency = (int)ValueParsers.Number("--concurrency", c, 1, 64) };
            }

            var json = (parse.GetValue(format) is { } f ? ValueParsers.OneOf("--format", f, "json", "text") : console.OutIsTerminal ? "text" : "json") == "json";
            var max = parse.GetValue(limit) is { } l ? ValueParsers.Number("--limit", l, 1, long.MaxValue) : long.MaxValue;
            var stop = parse.GetValue(duration) is { } d ? ValueParsers.Duration("--duration", d) : (TimeSpan?)null;
            if (settings.Verbose)
            {
                options = options with { Live = options.Live with { LoggerFactory = new WriterLoggerFactory(console.Error) } };
            }

            return await RunAsync(console, options, json, max, stop, token);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, JetstreamBackfillOptions options, bool json, long limit, TimeSpan? duration, CancellationToken cancellationToken)
    {
        JetstreamBackfillProgress? progress = null;
        var progressSink = new ProgressSink(p => Volatile.Write(ref progress, p));
        options = options with { Progress = progressSink };
        try
        {
            options.Validate();
        }
        catch (JetstreamOptionsException e)
        {
            throw new UsageException(e.Errors[0], e);
        }

        var output = console.Out;
        var printer = new EventPrinter(output, json);
        long written = 0;
        JetstreamEvent? last = null;
        var outputClosed = false;
        var run = StreamRunner.RunAsync(
            JetstreamArchive.Backfill(options),
            e =>
            {
                if (!printer.TryPrint(e))
                {
                    outputClosed = true;
                    return false;
                }

                last = e;
                return ++written < limit;
            },
            duration,
            cancellationToken);

        // A bar only where it cannot tangle with the events: standard error a terminal, standard output redirected.
        if (console.ErrorIsTerminal && !console.OutIsTerminal)
        {
            await console.SpectreError().Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("planning", maxValue: 1);
                    while (!run.IsCompleted)
                    {
                        await Task.WhenAny(run, Task.Delay(ProgressRefresh, CancellationToken.None));
                        if (Volatile.Read(ref progress) is { } p)
                        {
                            task.Description = Markup.Escape(Describe(p));
                            task.Value = p.Fraction;
                        }
                    }

                    task.StopTask();
                });
        }

        var error = await run;
        if (!outputClosed)
        {
            await output.FlushAsync(CancellationToken.None);
        }

        if (Volatile.Read(ref progress) is { } final)
        {
            await console.Error.WriteLineAsync("jetstream: " + Describe(final) + (last is null ? "" : $"; resume with --from {last.Cursor}"));
        }

        if (error is not null)
        {
            await console.Error.WriteLineAsync("jetstream: " + StreamRunner.Describe(error));
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    /// <summary>One line of progress: phase, seq position, segments, bytes, rate and time left.</summary>
    internal static string Describe(JetstreamBackfillProgress p)
    {
        var eta = p.EstimatedRemaining is { } r ? $", ETA {r:hh\\:mm\\:ss}" : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{p.Phase.ToString().ToLowerInvariant()}: seq {p.LastSeq:N0} of {p.SealedTipSeq:N0}, segments {p.SegmentsDone}/{p.SegmentsPlanned}, blocks {p.BlocksDone}/{p.BlocksPlanned}, {p.BytesDownloaded / (1024.0 * 1024):N1} MiB, {p.EventsDelivered:N0} events ({p.EventsPerSecond:N0}/s){eta}");
    }

    private sealed class ProgressSink(Action<JetstreamBackfillProgress> onNext) : IObserver<JetstreamBackfillProgress>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(JetstreamBackfillProgress value) => onNext(value);
    }
}
