using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Jetstream.Reactive.Diagnostics;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>The record instruments, on the same meter as the connection's (<see cref="JetstreamTelemetry.MeterName"/>).</summary>
internal sealed class RecordMetrics
{
    private static readonly ConditionalWeakTable<Meter, RecordMetrics> ByMeter = [];

    private RecordMetrics(Meter meter) =>
        RecordsInvalid = meter.CreateCounter<long>(
            "jetstream.client.records.invalid",
            "{record}",
            "Records skipped by Records<T>() because they could not be deserialized to the requested type.");

    public Counter<long> RecordsInvalid { get; }

    // Borrow the connection's meter for the factory, so that one factory (or the process) has one meter of this name.
    public static RecordMetrics For(IMeterFactory? factory) =>
        ByMeter.GetValue(JetstreamMetrics.For(factory).EventsReceived.Meter, static meter => new RecordMetrics(meter));
}
