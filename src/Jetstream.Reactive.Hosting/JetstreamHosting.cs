namespace Jetstream.Reactive.Hosting;

/// <summary>Names under which the hosting package publishes logs, metrics and its health check.</summary>
public static class JetstreamHosting
{
    /// <summary>The logger category of the hosted consumer's own logs: <c>Jetstream.Reactive.Hosting</c>. The connection logs under <see cref="JetstreamTelemetry.LoggerCategory"/>.</summary>
    public const string LoggerCategory = "Jetstream.Reactive.Hosting";

    /// <summary>The default name of the health check that <see cref="JetstreamHealthCheckBuilderExtensions.AddJetstream"/> adds: <c>jetstream</c>.</summary>
    public const string HealthCheckName = "jetstream";
}
