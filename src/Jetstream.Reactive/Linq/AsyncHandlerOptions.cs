using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Linq;

/// <summary>Settings of <see cref="JetstreamOperators.SubscribeAsync{T}(IObservable{T}, Func{T, CancellationToken, Task}, Action{Exception}?, Action?, AsyncHandlerOptions?)"/>.</summary>
public sealed record AsyncHandlerOptions
{
    /// <summary>
    /// How many items may wait for the handler. When full, each further incoming item is dropped (the queued ones are
    /// kept) and counted in <see cref="AsyncSubscription.Dropped"/>. At least 1. Default <see langword="null"/>: the
    /// stream's <see cref="JetstreamOptions.BufferCapacity"/> when the source is <see cref="JetstreamObservable.Connect"/>
    /// itself (whose buffer the handler then shares), otherwise 10,000.
    /// </summary>
    public int? BufferCapacity { get; init; }

    /// <summary>
    /// How many bytes of events may wait for the handler (each event's payload plus about 512 bytes); an event that would
    /// go over it is dropped and counted like one over <see cref="BufferCapacity"/>, except into an empty queue. Only
    /// <see cref="JetstreamEvent"/> items are measured; a queue of other items is bounded by <see cref="BufferCapacity"/>
    /// alone. At least <see cref="JetstreamOptions.MinBufferByteLimit"/>. Default <see langword="null"/>: the stream's
    /// <see cref="JetstreamOptions.BufferByteLimit"/> when the source is <see cref="JetstreamObservable.Connect"/> itself,
    /// otherwise <see cref="JetstreamOptions.DefaultBufferByteLimit"/>.
    /// </summary>
    public long? BufferByteLimit { get; init; }

    /// <summary>What a handler exception does. Default <see cref="HandlerErrorBehavior.Stop"/>.</summary>
    public HandlerErrorBehavior OnHandlerError { get; init; } = HandlerErrorBehavior.Stop;

    /// <summary>
    /// Where the drain loop starts after the queue was empty. Default <see langword="null"/>: the stream's
    /// <see cref="JetstreamOptions.Scheduler"/> when the source is <see cref="JetstreamObservable.Connect"/> itself,
    /// otherwise <see cref="DefaultScheduler.Instance"/>. <see cref="ImmediateScheduler"/> and
    /// <see cref="CurrentThreadScheduler"/> are rejected: the handler would run on the source's thread (the socket reader).
    /// </summary>
    public IScheduler? Scheduler { get; init; }

    /// <summary>Called with each handler exception, whatever <see cref="OnHandlerError"/> says. Default none.</summary>
    public Action<Exception>? HandlerFailed { get; init; }

    /// <summary>
    /// Called for each item the full queue drops, with <see langword="true"/> for the first drop of an episode (the
    /// queue had drained to half its capacity and byte limit since the last drop). Default none. Runs on the source's
    /// thread: keep it short (count it, log the first).
    /// </summary>
    public Action<bool>? Dropped { get; init; }

    /// <summary>
    /// Called when the queue drained to half its capacity and byte limit after drops, with how many items that episode
    /// dropped. Default none.
    /// </summary>
    public Action<long>? DropsEnded { get; init; }

    /// <summary>Logs handler failures (Error) when set. Default none.</summary>
    public ILogger? Logger { get; init; }
}
