using System.CommandLine;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Jetstream.Reactive;
using Jetstream.Reactive.Nats;
using NATS.Client.Core;
using NATS.Client.JetStream.Models;

namespace Jetstream.Cli.Infrastructure;

/// <summary>
/// <c>--nats</c> and its companions: read events from the NATS JetStream stream a <c>jetstream relay</c> fills, instead
/// of from a Jetstream server (for <c>tail</c> and <c>stats</c>).
/// </summary>
internal sealed class NatsOptions
{
    public Option<string> Url { get; } = new("--nats")
    {
        Description = "Read from this NATS server (nats://host:4222) the stream that 'jetstream relay' fills, instead of from a Jetstream server. --collection and --kind become subject filters; --did is filtered here; --endpoint, --cursor and --compress do not apply.",
        HelpName = "url",
    };

    public Option<string> Stream { get; } = new("--nats-stream") { Description = "The NATS stream name (default JETSTREAM).", HelpName = "name" };

    public Option<string> Prefix { get; } = new("--nats-prefix") { Description = "The stream's subject prefix (default jetstream).", HelpName = "prefix" };

    public Option<string> Consumer { get; } = new("--nats-consumer")
    {
        Description = "A durable consumer to share with other readers and resume with (it starts at the beginning of the stream). Default: a private consumer from now on, removed a minute after this command ends.",
        HelpName = "name",
    };

    public void AddTo(Command command)
    {
        command.Add(Url);
        command.Add(Stream);
        command.Add(Prefix);
        command.Add(Consumer);
    }

    /// <summary>The NATS source, or <see langword="null"/> when <c>--nats</c> is not given.</summary>
    /// <exception cref="UsageException">A value is wrong.</exception>
    public Source? Read(ParseResult parse, ConnectionOptions.Settings settings)
    {
        if (parse.GetValue(Url) is not { } url)
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls"))
        {
            throw UsageException.For("--nats", url, "it must be a nats:// URL such as nats://127.0.0.1:4222.");
        }

        if (settings.Options.Cursor is not null)
        {
            throw UsageException.For("--cursor", settings.Options.Cursor.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "it does not apply with --nats: use --nats-consumer to resume, or read the stream from its start.");
        }

        var durable = parse.GetValue(Consumer);
        var options = new JetstreamNatsConsumerOptions
        {
            Stream = new JetstreamNatsStreamOptions
            {
                Name = parse.GetValue(Stream) ?? "JETSTREAM",
                SubjectPrefix = parse.GetValue(Prefix) ?? "jetstream",
            },
            ConsumerName = durable ?? "jetstream-cli-" + Guid.NewGuid().ToString("N")[..12],
            DeliverPolicy = durable is null ? ConsumerConfigDeliverPolicy.New : ConsumerConfigDeliverPolicy.All,
            InactiveThreshold = durable is null ? TimeSpan.FromMinutes(1) : null,
            Kinds = settings.Kinds.Where(k => k != JetstreamEventKind.Sync).ToList(),
            WantedCollections = settings.Options.WantedCollections,
        };
        try
        {
            options.Validate();
        }
        catch (JetstreamOptionsException e)
        {
            throw new UsageException(e.Errors[0].Replace("JetstreamNatsConsumerOptions.ConsumerName", "--nats-consumer", StringComparison.Ordinal)
                .Replace("JetstreamNatsConsumerOptions.Stream.Name", "--nats-stream", StringComparison.Ordinal)
                .Replace("JetstreamNatsConsumerOptions.Stream.SubjectPrefix", "--nats-prefix", StringComparison.Ordinal)
                .Replace("JetstreamNatsConsumerOptions.WantedCollections", "--collection", StringComparison.Ordinal), e);
        }

        var dids = settings.Options.WantedDids.ToHashSet(StringComparer.Ordinal);
        return new Source(url, options, dids);
    }

    /// <summary>A NATS source: the events, with the connection opened on subscribe and closed on dispose.</summary>
    internal sealed record Source(string Url, JetstreamNatsConsumerOptions Options, HashSet<string> Dids)
    {
        public string Describe() => $"{Url} stream {Options.Stream.Name} (nats)";

        public IObservable<JetstreamEvent> Events() => Observable.Create<JetstreamEvent>(observer =>
        {
            var connection = new NatsConnection(new NatsOpts { Url = Url, Name = "jetstream-cli" });
            var subscription = JetstreamNats.Consume(connection, Options)
                .Where(e => Dids.Count == 0 || Dids.Contains(e.Did))
                .Subscribe(observer);
            return Disposable.Create(() =>
            {
                subscription.Dispose();
                _ = connection.DisposeAsync().AsTask();
            });
        });
    }
}
