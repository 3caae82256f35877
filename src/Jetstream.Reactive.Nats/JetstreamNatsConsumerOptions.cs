using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.JetStream.Models;

namespace Jetstream.Reactive.Nats;

/// <summary>Settings of <see cref="JetstreamNats.Consume"/>: which durable consumer, which events, how failures are answered.</summary>
public sealed record JetstreamNatsConsumerOptions
{
    /// <summary>The stream (its <see cref="JetstreamNatsStreamOptions.Name"/>, <see cref="JetstreamNatsStreamOptions.SubjectPrefix"/> and <see cref="JetstreamNatsStreamOptions.Partitions"/> must match the relay's).</summary>
    public JetstreamNatsStreamOptions Stream { get; init; } = new();

    /// <summary>
    /// The durable consumer's name. Every worker with the same name and filters shares one consumer and splits its
    /// messages; give each partition subset its own name. Default <c>jetstream-workers</c>.
    /// </summary>
    public string ConsumerName { get; init; } = "jetstream-workers";

    /// <summary>The kinds wanted; empty for all. Mapped to subjects.</summary>
    public IReadOnlyList<JetstreamEventKind> Kinds { get; init; } = [];

    /// <summary>Commit collections wanted (NSIDs, or a prefix ending in <c>.*</c>); empty for all. Mapped to subjects.</summary>
    public IReadOnlyList<string> WantedCollections { get; init; } = [];

    /// <summary>
    /// The DID-hash partitions this consumer reads (each in [0, <see cref="JetstreamNatsStreamOptions.Partitions"/>));
    /// empty for all. One worker per partition subset, handling one message at a time, sees each repository's events in order.
    /// </summary>
    public IReadOnlyList<int> Partitions { get; init; } = [];

    /// <summary>Where a new consumer starts. Default all: the whole stream.</summary>
    public ConsumerConfigDeliverPolicy DeliverPolicy { get; init; } = ConsumerConfigDeliverPolicy.All;

    /// <summary>How long the server waits for an acknowledgement before delivering a message again (a crashed worker's messages come back after it). Default 30 s.</summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a message is delivered at most; -1 for no limit. Default -1.</summary>
    public int MaxDeliver { get; init; } = -1;

    /// <summary>Messages delivered and not yet acknowledged, across all workers of the consumer. Default 1,000.</summary>
    public int MaxAckPending { get; init; } = 1_000;

    /// <summary>How many messages one worker asks for at a time. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Delete the durable consumer after it has had no worker for this long; <see langword="null"/> (the default) keeps it. For short-lived readers such as the CLI.</summary>
    public TimeSpan? InactiveThreshold { get; init; }

    /// <summary>What a failed handler does to its message. Default <see cref="JetstreamNatsHandlerFailure.Nak"/>.</summary>
    public JetstreamNatsHandlerFailure OnHandlerError { get; init; } = JetstreamNatsHandlerFailure.Nak;

    /// <summary>The delay before a nak'ed message is delivered again. Default 1 s.</summary>
    public TimeSpan NakDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Hosted use (<see cref="JetstreamNatsHostingExtensions.UseNats"/>): the health check reports <c>Degraded</c> when more
    /// messages than this wait in the stream for the consumer (its backlog). Default 10,000; at least 1.
    /// </summary>
    public long HealthPendingThreshold { get; init; } = 10_000;

    /// <summary>
    /// Hosted use (<see cref="JetstreamNatsHostingExtensions.UseNats"/>): the health check reports <c>Unhealthy</c> when the
    /// NATS connection has been down for longer than this (<c>Degraded</c> before). Default 1 minute; at least 1 second.
    /// </summary>
    public TimeSpan HealthDisconnectedThreshold { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Backoff while NATS or the stream is unavailable. Default <see cref="BackoffPolicy.Default"/>.</summary>
    public BackoffPolicy Backoff { get; init; } = BackoffPolicy.Default;

    /// <summary>The scheduler of backoff waits. Default <see cref="DefaultScheduler.Instance"/>.</summary>
    public IScheduler Scheduler { get; init; } = DefaultScheduler.Instance;

    /// <summary>Logs (event ids 1620–1639). Default none.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Metrics (<c>jetstream.client.nats.consumed</c>). Default the process-wide meter.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }

    /// <summary>The subjects these filters select (one per partition, kind and collection; a single wildcard when nothing is filtered).</summary>
    /// <returns>The subjects.</returns>
    public IReadOnlyList<string> FilterSubjects()
    {
        var prefix = Stream.SubjectPrefix;
        var partitions = Partitions.Count == 0 ? [null] : Partitions.Distinct().Order().Select(p => (int?)p).ToList();
        var kinds = Kinds.Count == 0 ? [JetstreamEventKind.Commit, JetstreamEventKind.Identity, JetstreamEventKind.Account] : Kinds.Distinct().ToList();
        if (Kinds.Count == 0 && WantedCollections.Count == 0)
        {
            return partitions.Select(p => p is { } n ? string.Concat(prefix, ".", n.ToString(System.Globalization.CultureInfo.InvariantCulture), ".>") : prefix + ".>").ToList();
        }

        var subjects = new List<string>();
        foreach (var p in partitions)
        {
            foreach (var kind in kinds)
            {
                if (kind == JetstreamEventKind.Commit && WantedCollections.Count > 0)
                {
                    subjects.AddRange(WantedCollections.Select(c => JetstreamNatsSubjects.Filter(prefix, p, kind, c)));
                }
                else
                {
                    subjects.Add(JetstreamNatsSubjects.Filter(prefix, p, kind, null));
                }
            }
        }

        return subjects;
    }

    /// <summary>Checks every option and throws one exception that lists each problem.</summary>
    /// <exception cref="JetstreamOptionsException">At least one option is out of range.</exception>
    public void Validate()
    {
        var errors = GetErrors().ToList();
        if (errors.Count > 0)
        {
            throw new JetstreamOptionsException(errors);
        }
    }

    private IEnumerable<string> GetErrors()
    {
        if (Stream is null)
        {
            yield return "JetstreamNatsConsumerOptions.Stream is null.";
            yield break;
        }

        foreach (var error in Stream.GetErrors("JetstreamNatsConsumerOptions.Stream."))
        {
            yield return error;
        }

        if (string.IsNullOrWhiteSpace(ConsumerName) || ConsumerName.IndexOfAny([' ', '.', '*', '>', '/', '\\']) >= 0)
        {
            yield return $"JetstreamNatsConsumerOptions.ConsumerName is '{JetstreamNatsSubjects.Neutralize(ConsumerName)}'; it must be non-empty without spaces, '.', '*', '>', '/' or '\\'.";
        }

        foreach (var p in Partitions ?? [])
        {
            if (p < 0 || p >= Stream.Partitions)
            {
                yield return $"JetstreamNatsConsumerOptions.Partitions contains {p}; each must be from 0 to {Stream.Partitions - 1} (Stream.Partitions is {Stream.Partitions}).";
            }
        }

        foreach (var c in WantedCollections ?? [])
        {
            var name = c.EndsWith(".*", StringComparison.Ordinal) ? c[..^2] : c;
            if (!JetstreamNatsSubjects.IsValidToken(name))
            {
                yield return $"JetstreamNatsConsumerOptions.WantedCollections contains '{JetstreamNatsSubjects.Neutralize(c)}'; each must be an NSID such as app.bsky.feed.post, or a prefix ending in .*.";
            }
        }

        if (WantedCollections is { Count: > 0 } && Kinds is { Count: > 0 } && !Kinds.Contains(JetstreamEventKind.Commit))
        {
            yield return "JetstreamNatsConsumerOptions.WantedCollections is set but Kinds leaves out Commit; collections only filter commits.";
        }

        foreach (var k in Kinds ?? [])
        {
            if (k is not (JetstreamEventKind.Commit or JetstreamEventKind.Identity or JetstreamEventKind.Account))
            {
                yield return $"JetstreamNatsConsumerOptions.Kinds contains {k}; the relay writes Commit, Identity and Account.";
            }
        }

        if (AckWait < TimeSpan.FromSeconds(1))
        {
            yield return $"JetstreamNatsConsumerOptions.AckWait is {AckWait}; it must be at least 1 second.";
        }

        if (MaxDeliver is 0 or < -1)
        {
            yield return $"JetstreamNatsConsumerOptions.MaxDeliver is {MaxDeliver}; it must be -1 (no limit) or positive.";
        }

        if (MaxAckPending < 1)
        {
            yield return $"JetstreamNatsConsumerOptions.MaxAckPending is {MaxAckPending}; it must be at least 1.";
        }

        if (BatchSize is < 1 or > 10_000)
        {
            yield return $"JetstreamNatsConsumerOptions.BatchSize is {BatchSize}; it must be from 1 to 10000.";
        }

        if (InactiveThreshold is { } inactive && inactive < TimeSpan.FromSeconds(1))
        {
            yield return $"JetstreamNatsConsumerOptions.InactiveThreshold is {inactive}; it must be at least 1 second, or null to keep the consumer.";
        }

        if (HealthPendingThreshold < 1)
        {
            yield return $"JetstreamNatsConsumerOptions.HealthPendingThreshold is {HealthPendingThreshold}; it must be at least 1.";
        }

        if (HealthDisconnectedThreshold < TimeSpan.FromSeconds(1))
        {
            yield return $"JetstreamNatsConsumerOptions.HealthDisconnectedThreshold is {HealthDisconnectedThreshold}; it must be at least 1 second.";
        }

        if (NakDelay < TimeSpan.Zero)
        {
            yield return $"JetstreamNatsConsumerOptions.NakDelay is {NakDelay}; it must not be negative.";
        }

        if (Backoff is null || Scheduler is null || LoggerFactory is null)
        {
            yield return "JetstreamNatsConsumerOptions.Backoff, Scheduler and LoggerFactory must not be null.";
        }
    }
}
