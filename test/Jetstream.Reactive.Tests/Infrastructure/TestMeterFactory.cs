using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>An <see cref="IMeterFactory"/> whose meters are scoped to one test, so counts never leak between tests.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        return meter;
    }

    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(this, JetstreamTelemetry.MeterName, instrument);

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
