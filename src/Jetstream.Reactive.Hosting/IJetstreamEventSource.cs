namespace Jetstream.Reactive.Hosting;

/// <summary>
/// Where the hosted consumer's events come from when it is not a Jetstream socket: a durable log such as a NATS JetStream
/// consumer (<c>UseNats</c> in Jetstream.Reactive.Nats). Register one with
/// <see cref="JetstreamBuilderEventSourceExtensions.UseEventSource"/>; the handlers, their buffers, logs, metrics and the
/// health check stay as they are. The source keeps its own position (the log's consumer): no cursor is saved.
/// </summary>
/// <remarks>
/// The host settles each event once every handler is done with it (<see cref="JetstreamSourcedEvent.SettleAsync"/>):
/// <see cref="JetstreamEventOutcome.Handled"/> when every handler succeeded, <see cref="JetstreamEventOutcome.Failed"/>
/// when one threw, <see cref="JetstreamEventOutcome.NotHandled"/> when a handler's full buffer dropped it or the host
/// stopped before handling it. An event that never gets that far is never settled: a log with acknowledgement timeouts
/// delivers it again.
/// </remarks>
public interface IJetstreamEventSource
{
    /// <summary>What the source reads, for logs and the health check (such as <c>NATS consumer workers on stream JETSTREAM</c>). No credentials.</summary>
    string Description { get; }

    /// <summary>
    /// Opens the source: a cold stream subscribed once when the host starts and disposed when it stops. Its error ends
    /// the consumer like a Jetstream error that reconnecting cannot fix; reconnecting is the source's own business,
    /// reported to <paramref name="states"/>.
    /// </summary>
    /// <param name="states">Receives the source's connection changes, which drive the health check's state (<c>Connected</c>, <c>Reconnecting</c> with its error).</param>
    /// <returns>The events, each with its way to settle it.</returns>
    IObservable<JetstreamSourcedEvent> Connect(IObserver<JetstreamConnectionState> states);

    /// <summary>
    /// What the source adds to the health check (such as the log's backlog): its data is added under <c>source.</c>, and a
    /// status worse than the connection's decides the result.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the health check is abandoned.</param>
    /// <returns>The source's health.</returns>
    ValueTask<JetstreamSourceHealth> CheckHealthAsync(CancellationToken cancellationToken);
}
