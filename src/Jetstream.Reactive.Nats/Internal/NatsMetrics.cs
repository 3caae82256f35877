using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Jetstream.Reactive.Nats.Internal;

/// <summary>The relay's and consumer's instruments on the <see cref="JetstreamTelemetry.MeterName"/> meter.</summary>
internal sealed class NatsMetrics
{
    public const string OutcomeTag = "jetstream.outcome";

    private static readonly ConditionalWeakTable<IMeterFactory, NatsMetrics> ByFactory = [];
    private static readonly Lazy<NatsMetrics> Shared = new(() => new NatsMetrics(new Meter(JetstreamTelemetry.MeterName)));

    private NatsMetrics(Meter meter)
    {
        Published = meter.CreateCounter<long>("jetstream.client.nats.published", "{event}", "Events the relay published and NATS acknowledged, by outcome (stored, duplicate).");
        PublishRetries = meter.CreateCounter<long>("jetstream.client.nats.publish.retries", "{retry}", "Times the relay sent its window of unacknowledged publishes again after a failure.");
        Skipped = meter.CreateCounter<long>("jetstream.client.nats.skipped", "{event}", "Events the relay did not publish because the stream's tail already held their id.");
        Pending = meter.CreateUpDownCounter<long>("jetstream.client.nats.pending", "{publish}", "Publishes waiting for their acknowledgement.");
        Consumed = meter.CreateCounter<long>("jetstream.client.nats.consumed", "{message}", "Messages a consumer handled, by outcome (ack, nak, term, filtered, undecodable).");
    }

    public Counter<long> Published { get; }

    public Counter<long> PublishRetries { get; }

    public Counter<long> Skipped { get; }

    public UpDownCounter<long> Pending { get; }

    public Counter<long> Consumed { get; }

    public static NatsMetrics For(IMeterFactory? factory) =>
        factory is null ? Shared.Value : ByFactory.GetValue(factory, f => new NatsMetrics(f.Create(new MeterOptions(JetstreamTelemetry.MeterName))));

    public static KeyValuePair<string, object?> Outcome(string value) => new(OutcomeTag, value);
}
