using System.CommandLine;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive;
using Jetstream.Reactive.Nats;
using NATS.Client.Core;
using NATS.Client.JetStream.Models;

namespace Jetstream.Cli.Commands;

/// <summary><c>jetstream relay</c>: read Jetstream once and write each event exactly once into a NATS JetStream stream.</summary>
internal static class RelayCommand
{
    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var nats = new Option<string>("--nats") { Description = "The NATS server to write to (nats://host:4222); a comma-separated list for a cluster.", HelpName = "url", Required = true };
        var stream = new Option<string>("--nats-stream") { Description = "The stream name, created when missing (default JETSTREAM).", HelpName = "name" };
        var prefix = new Option<string>("--nats-prefix") { Description = "The subject prefix (default jetstream): subjects are <prefix>.<partition>.commit.<collection>, <prefix>.<partition>.identity and <prefix>.<partition>.account.", HelpName = "prefix" };
        var partitions = new Option<string>("--partitions") { Description = "DID-hash partitions in the subjects (default 16).", HelpName = "count" };
        var replicas = new Option<string>("--replicas") { Description = "Stream replicas when the stream is created (default 1; 3 on a cluster).", HelpName = "count" };
        var maxAge = new Option<string>("--max-age") { Description = "How long the stream keeps events when it is created (default 24h).", HelpName = "duration" };
        var window = new Option<string>("--duplicate-window") { Description = "How long the server remembers event ids to drop second copies (default 10m).", HelpName = "duration" };
        var memory = new Option<bool>("--memory") { Description = "Create the stream in memory rather than on disk." };
        var duration = new Option<string>("--duration") { Description = "Stop after this long (30s, 5m, 1h). Default: until Ctrl+C.", HelpName = "duration" };

        var command = new Command("relay", "Read Jetstream once and write each event exactly once into a NATS JetStream stream, for many workers (see docs/scale-out.md). Resumes from the stream's last event.");
        connection.AddTo(command);
        command.Add(nats);
        command.Add(stream);
        command.Add(prefix);
        command.Add(partitions);
        command.Add(replicas);
        command.Add(maxAge);
        command.Add(window);
        command.Add(memory);
        command.Add(duration);
        command.SetAction(async (parse, token) =>
        {
            var settings = connection.Read(parse, DateTimeOffset.UtcNow);
            if (settings.Kinds.Count > 0)
            {
                throw UsageException.For("--kind", string.Join(",", settings.Kinds).ToLowerInvariant(), "the relay writes every kind; consumers filter by kind with subjects.");
            }

            var url = parse.GetValue(nats)!;
            var defaults = new JetstreamNatsStreamOptions();
            var options = new JetstreamNatsRelayOptions
            {
                Source = settings.Options with { LoggerFactory = settings.Verbose ? new WriterLoggerFactory(console.Error) : settings.Options.LoggerFactory },
                Stream = new JetstreamNatsStreamOptions
                {
                    Name = parse.GetValue(stream) ?? defaults.Name,
                    SubjectPrefix = parse.GetValue(prefix) ?? defaults.SubjectPrefix,
                    Partitions = parse.GetValue(partitions) is { } p ? (int)ValueParsers.Number("--partitions", p, 1, 1024) : defaults.Partitions,
                    Replicas = parse.GetValue(replicas) is { } r ? (int)ValueParsers.Number("--replicas", r, 1, 5) : defaults.Replicas,
                    MaxAge = parse.GetValue(maxAge) is { } a ? ValueParsers.Duration("--max-age", a) : defaults.MaxAge,
                    DuplicateWindow = parse.GetValue(window) is { } w ? ValueParsers.Duration("--duplicate-window", w) : defaults.DuplicateWindow,
                    Storage = parse.GetValue(memory) ? StreamConfigStorage.Memory : StreamConfigStorage.File,
                },
                LoggerFactory = settings.Verbose ? new WriterLoggerFactory(console.Error) : Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            };
            try
            {
                options.Validate();
            }
            catch (JetstreamOptionsException e)
            {
                throw new UsageException(e.Errors[0], e);
            }

            var stop = parse.GetValue(duration) is { } d ? ValueParsers.Duration("--duration", d) : (TimeSpan?)null;
            return await RunAsync(console, url, options, stop, token);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string url, JetstreamNatsRelayOptions options, TimeSpan? duration, CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = url, Name = "jetstream-relay" });
        var relay = new JetstreamNatsRelay(connection, options);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }

        try
        {
            await relay.RunAsync(stop.Token);
        }
        catch (JetstreamOptionsException e)
        {
            throw new CommandFailure(e.Errors[0], e);
        }
        catch (JetstreamException e)
        {
            await console.Error.WriteLineAsync("jetstream: " + StreamRunner.Describe(e));
            return ExitCodes.Failure;
        }

        await console.Error.WriteLineAsync($"jetstream: relayed {relay.Published:N0} events into {options.Stream.Name} ({relay.Duplicates:N0} already there, {relay.Retries:N0} retries)");
        return ExitCodes.Success;
    }
}
