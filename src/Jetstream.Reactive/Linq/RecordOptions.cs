using System.Diagnostics.Metrics;
using Jetstream.Reactive.Records;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Linq;

/// <summary>
/// Settings of <see cref="JetstreamEventExtensions.Records{T}(IObservable{JetstreamEvent}, RecordOptions?)"/>: where
/// records that cannot be deserialized are reported. Such records are always skipped and counted in the
/// <c>jetstream.client.records.invalid</c> counter; they never end the stream.
/// </summary>
public sealed record RecordOptions
{
    /// <summary>
    /// Called with each skipped record, on the thread that delivers events, before the next event is read. Keep it
    /// cheap. An exception it throws ends the sequence with <c>OnError</c>. To get the errors as a stream, pass a
    /// subject's <c>OnNext</c>. Default none.
    /// </summary>
    public Action<RecordError>? OnError { get; init; }

    /// <summary>Logs each skipped record at Debug (event 1050, <c>RecordSkipped</c>), with the start of its JSON. Default none.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Creates the meter the counter belongs to. Default <see langword="null"/>: the process-wide
    /// <see cref="JetstreamTelemetry.MeterName"/> meter, the same one the connection uses without a factory.
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }
}
