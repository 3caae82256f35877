namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>Resolves the handler from a scope's provider and calls it with a batch (one event for a per-event handler).</summary>
internal delegate Task HandlerInvoker(IServiceProvider scopedProvider, IReadOnlyList<JetstreamEvent> events, CancellationToken cancellationToken);

/// <summary>One handler added with <see cref="JetstreamBuilder"/>, kept in the container as a singleton.</summary>
internal sealed record HandlerRegistration(string Name, Type HandlerType, int MaxBatchSize, int? BufferCapacity, HandlerInvoker Invoke);
