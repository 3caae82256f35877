using System.Collections.Concurrent;

namespace Jetstream.Reactive.Buffering;

/// <summary>What a bounded queue reports: depth changes, drops, and the start and end of an overflow episode.</summary>
/// <typeparam name="T">The item type.</typeparam>
internal interface IDropIncomingMonitor<in T>
{
    /// <summary>The queue's depth changed by <paramref name="delta"/> items and <paramref name="bytes"/> bytes (by its sizer; 0 without one).</summary>
    void DepthChanged(int delta, long bytes);

    /// <summary>An incoming item was dropped; <paramref name="firstInEpisode"/> is true for the first drop since the queue last drained to half.</summary>
    void Dropped(T item, bool firstInEpisode, int capacity);

    /// <summary>The queue drained to half its capacity after drops; <paramref name="dropped"/> items were dropped in the episode.</summary>
    void EpisodeEnded(long dropped);
}

/// <summary>
/// A bounded multi-producer, single-consumer queue (in items, and optionally in bytes) that drops the <em>incoming</em> item when full (the items already
/// queued are kept), counts drops per overflow episode, and reports to a monitor. An episode starts with the first drop
/// and ends when the consumer has drained the queue to half its capacity, so a consumer hovering at the limit yields one
/// episode, not one per item.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class DropIncomingQueue<T>
{
    private readonly ConcurrentQueue<T> _queue = new();
    private readonly int _capacity;
    private readonly int _lowWatermark;
    private readonly IDropIncomingMonitor<T>? _monitor;
    private readonly Action<T>? _onDropped;
    private readonly long _byteLimit;
    private readonly Func<T, long>? _sizeOf;
    private int _count;
    private long _bytes;
    private long _episodeDrops;
    private int _inEpisode;

    /// <param name="capacity">The most items queued at once.</param>
    /// <param name="monitor">Told of depth changes, drops and episodes.</param>
    /// <param name="onDropped">Called with each dropped item.</param>
    /// <param name="byteLimit">
    /// The most bytes (by <paramref name="sizeOf"/>) queued at once. An item that would go over it is dropped like one
    /// over the capacity, except into an empty queue: a single item larger than the budget still gets through, so the
    /// queue never holds more than the budget plus one item.
    /// </param>
    /// <param name="sizeOf">The size of an item; none: the queue is bounded in count only.</param>
    public DropIncomingQueue(int capacity, IDropIncomingMonitor<T>? monitor, Action<T>? onDropped, long byteLimit = long.MaxValue, Func<T, long>? sizeOf = null)
    {
        _byteLimit = byteLimit;
        _sizeOf = sizeOf;
        _capacity = capacity;
        _lowWatermark = capacity / 2;
        _monitor = monitor;
        _onDropped = onDropped;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether the queue holds its capacity in items: the next item would be dropped whatever its size.</summary>
    public bool IsFull => Volatile.Read(ref _count) >= _capacity;

    /// <summary>The bytes queued now, by the sizer (0 without one).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Queues <paramref name="item"/>, or drops it when the queue holds <c>capacity</c> items.</summary>
    /// <returns>Whether the item was queued.</returns>
    public bool TryEnqueue(T item)
    {
        var size = _sizeOf?.Invoke(item) ?? 0;
        var full = Interlocked.Increment(ref _count) > _capacity;
        if (!full && size > 0)
        {
            var bytes = Interlocked.Add(ref _bytes, size);
            if (bytes > _byteLimit && bytes != size)
            {
                Interlocked.Add(ref _bytes, -size);
                full = true;
            }
        }

        if (full)
        {
            Interlocked.Decrement(ref _count);
            CountDrop(item);
            return false;
        }

        _queue.Enqueue(item);
        _monitor?.DepthChanged(1, size);
        return true;
    }

    /// <summary>
    /// Drops <paramref name="item"/>, counted like any drop, when the queue holds its capacity in items; otherwise does
    /// nothing. For the single producer (#16: drop before decode): the consumer only ever takes items away, so an item
    /// that finds the queue full here is one <see cref="TryEnqueue"/> would have dropped at this moment.
    /// </summary>
    /// <returns>Whether the item was dropped.</returns>
    public bool TryDropIncoming(T item)
    {
        if (!IsFull)
        {
            return false;
        }

        CountDrop(item);
        return true;
    }

    /// <summary>Takes the oldest item (consumer side only).</summary>
    public bool TryDequeue(out T item)
    {
        if (!_queue.TryDequeue(out item!))
        {
            return false;
        }

        var size = _sizeOf?.Invoke(item) ?? 0;
        var bytes = Interlocked.Add(ref _bytes, -size);
        var depth = Interlocked.Decrement(ref _count);
        _monitor?.DepthChanged(-1, -size);
        if (depth <= _lowWatermark && bytes <= _byteLimit / 2 && Volatile.Read(ref _inEpisode) == 1 && Interlocked.Exchange(ref _inEpisode, 0) == 1)
        {
            _monitor?.EpisodeEnded(Interlocked.Exchange(ref _episodeDrops, 0));
        }

        return true;
    }

    private void CountDrop(T item)
    {
        Interlocked.Increment(ref _episodeDrops);
        var first = Interlocked.Exchange(ref _inEpisode, 1) == 0;
        _monitor?.Dropped(item, first, _capacity);
        _onDropped?.Invoke(item);
    }

    /// <summary>Discards every queued item (on dispose), keeping the depth accounting right.</summary>
    public void Clear()
    {
        var removed = 0;
        long removedBytes = 0;
        while (_queue.TryDequeue(out var item))
        {
            removed++;
            removedBytes += _sizeOf?.Invoke(item) ?? 0;
        }

        if (removed > 0)
        {
            Interlocked.Add(ref _bytes, -removedBytes);
            Interlocked.Add(ref _count, -removed);
            _monitor?.DepthChanged(-removed, -removedBytes);
        }
    }
}
