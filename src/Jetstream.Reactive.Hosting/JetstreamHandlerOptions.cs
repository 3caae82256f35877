namespace Jetstream.Reactive.Hosting;

/// <summary>The settings of one handler registration.</summary>
public sealed class JetstreamHandlerOptions
{
    /// <summary>
    /// The handler's name in logs, metrics (tag <c>jetstream.handler</c>) and the health check. Default: the class name.
    /// Names must be unique.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// How many events may wait for this handler. Default <see langword="null"/>:
    /// <see cref="JetstreamHostingOptions.HandlerBufferCapacity"/>. Allowed from 1 to 10,000,000.
    /// </summary>
    public int? BufferCapacity { get; set; }

    /// <summary>The most events in one batch (<see cref="IJetstreamBatchHandler"/> only). Default 100; allowed from 1 to 100,000.</summary>
    public int MaxBatchSize { get; set; } = 100;
}
