namespace Jetstream.Reactive;

/// <summary>Names under which the library publishes metrics and logs.</summary>
public static class JetstreamTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every instrument belongs to: <c>Jetstream.Reactive</c>.</summary>
    public const string MeterName = "Jetstream.Reactive";

    /// <summary>The logger category of the connection's logs: <c>Jetstream.Reactive</c>.</summary>
    public const string LoggerCategory = "Jetstream.Reactive";
}
