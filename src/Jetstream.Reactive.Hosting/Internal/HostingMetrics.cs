using System.Diagnostics.Metrics;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>
/// The hosting instruments, on the <see cref="JetstreamTelemetry.MeterName"/> meter made by the host's
/// <see cref="IMeterFactory"/> (so one <c>AddMeter("Jetstream.Reactive")</c> sees the client's and these).
/// </summary>
internal sealed class HostingMetrics
{
    public const string HandlerTag = "jetstream.handler";
    public const string OutcomeTag = "jetstream.outcome";

    private static readonly Lazy<Meter> SharedMeter = new(() => new Meter(JetstreamTelemetry.MeterName, Version));
    private static readonly string? Version = typeof(JetstreamObservable).Assembly.GetName().Version?.ToString();

    public HostingMetrics(IMeterFactory? factory, Func<IEnumerable<Measurement<long>>> queueDepths)
    {
        var meter = factory is null ? SharedMeter.Value : factory.Create(new MeterOptions(JetstreamTelemetry.MeterName) { Version = Version });
        HandlerEvents = meter.CreateCounter<long>("jetstream.hosting.handler.events", "{event}", "Events per handler, by outcome: handled, failed (the handler threw), dropped (its buffer was full).");
        HandlerDuration = meter.CreateHistogram("jetstream.hosting.handler.duration", "s", "Time of one handler call (one event, or one batch), scope included.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        CursorSaves = meter.CreateCounter<long>("jetstream.hosting.cursor.saves", "{save}", "Saves of the last handled event's cursor, by outcome: success, failure.");
        meter.CreateObservableUpDownCounter("jetstream.hosting.handler.queue.depth", queueDepths, "{event}", "Events waiting in each handler's buffer, the running call's included.");
    }

    public Counter<long> HandlerEvents { get; }

    public Histogram<double> HandlerDuration { get; }

    public Counter<long> CursorSaves { get; }
}
