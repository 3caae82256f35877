using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/telemetry.md.</summary>
internal static class Telemetry
{
    public static JetstreamOptions FromHost(ILoggerFactory loggerFactory, IMeterFactory meterFactory)
    {
        // begin-snippet: telemetry-options
        var options = new JetstreamOptions
        {
            LoggerFactory = loggerFactory, // category "Jetstream.Reactive" (JetstreamTelemetry.LoggerCategory)
            MeterFactory = meterFactory,   // optional; null means a process-wide meter of the same name
        };
        // end-snippet
        return options;
    }

    public static void ConfigureLogging(ILoggingBuilder logging)
    {
        // begin-snippet: telemetry-log-filter
        logging.AddFilter(JetstreamTelemetry.LoggerCategory, LogLevel.Information);
        // end-snippet
    }

    public static long CountDrops()
    {
        // begin-snippet: telemetry-listener
        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JetstreamTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) =>
        {
            if (instrument.Name == "jetstream.client.events.dropped")
            {
                Interlocked.Add(ref dropped, value);
            }
        });
        listener.Start();
        // end-snippet
        return Interlocked.Read(ref dropped);
    }
}
