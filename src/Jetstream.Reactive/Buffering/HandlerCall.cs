namespace Jetstream.Reactive.Buffering;

/// <summary>What the drain loop of <c>SubscribeAsync</c> calls: one item at a time, or batches of what is queued.</summary>
internal sealed class HandlerCall<T>
{
    private HandlerCall(Func<T, CancellationToken, Task>? single, Func<IReadOnlyList<T>, CancellationToken, Task>? batch, int maxBatchSize)
    {
        Single = single;
        Batch = batch;
        MaxBatchSize = maxBatchSize;
    }

    public Func<T, CancellationToken, Task>? Single { get; }

    public Func<IReadOnlyList<T>, CancellationToken, Task>? Batch { get; }

    public int MaxBatchSize { get; }

    public static HandlerCall<T> OneAtATime(Func<T, CancellationToken, Task> handler) => new(handler, null, 1);

    public static HandlerCall<T> Batches(Func<IReadOnlyList<T>, CancellationToken, Task> handler, int maxBatchSize) => new(null, handler, maxBatchSize);
}
