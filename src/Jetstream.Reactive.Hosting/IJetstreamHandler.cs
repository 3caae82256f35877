namespace Jetstream.Reactive.Hosting;

/// <summary>
/// Handles Jetstream events one at a time. Register it with <see cref="JetstreamBuilder.AddHandler{THandler}"/>: each
/// event gets a new dependency-injection scope and an instance resolved from it, so scoped services (a database context)
/// live for one event. Calls never overlap and come in the stream's order.
/// </summary>
public interface IJetstreamHandler
{
    /// <summary>Handles one event. An exception is logged and counted, and the next event follows.</summary>
    /// <param name="jetstreamEvent">The event.</param>
    /// <param name="cancellationToken">Cancelled when the host stops and the shutdown timeout has passed.</param>
    /// <returns>A task that completes when the event is handled; only then does the saved cursor move past it.</returns>
    Task HandleAsync(JetstreamEvent jetstreamEvent, CancellationToken cancellationToken);
}

/// <summary>
/// Handles Jetstream events in batches. Register it with <see cref="JetstreamBuilder.AddBatchHandler{THandler}"/>: each
/// batch gets a new dependency-injection scope and an instance resolved from it. A batch is what waits in the handler's
/// buffer when it is ready for more, up to <see cref="JetstreamHandlerOptions.MaxBatchSize"/> events: one event when it
/// keeps up, more when it falls behind. Nothing waits for a batch to fill. Calls never overlap and come in order.
/// </summary>
public interface IJetstreamBatchHandler
{
    /// <summary>Handles one batch. An exception is logged and counted, and the next batch follows.</summary>
    /// <param name="events">The events, oldest first; at least one.</param>
    /// <param name="cancellationToken">Cancelled when the host stops and the shutdown timeout has passed.</param>
    /// <returns>A task that completes when the batch is handled; only then does the saved cursor move past it.</returns>
    Task HandleAsync(IReadOnlyList<JetstreamEvent> events, CancellationToken cancellationToken);
}
