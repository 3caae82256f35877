using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using Jetstream.Reactive.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Buffering;

/// <summary>
/// The feedback edge from the buffer back to the reader: watches the buffer's depth and drops, and, under
/// <see cref="JetstreamOverflow.ResumeFromCursor"/>, tells the reader to stop when the buffer is full and the next
/// connection to wait until the subscriber has drained it to half.
/// </summary>
internal sealed class OverflowGate : IDropIncomingMonitor<JetstreamEvent>
{
    private readonly JetstreamOptions _options;
    private readonly JetstreamMetrics _metrics;
    private readonly ILogger _logger;
    private long _depth;
    private long _queuedBytes;
    private TaskCompletionSource? _drained;
    private IIncomingDropTarget? _target;

    public OverflowGate(JetstreamOptions options, int capacity, long byteLimit, JetstreamMetrics metrics, ILogger logger)
    {
        _options = options;
        Capacity = capacity;
        ByteLimit = byteLimit;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The capacity of the buffer between the reader and its subscriber (the stream's, or the async handler's queue).</summary>
    public int Capacity { get; }

    /// <summary>The byte budget of that buffer (<see cref="JetstreamOptions.BufferByteLimit"/> or the async handler's).</summary>
    public long ByteLimit { get; }

    /// <summary>
    /// Whether the reader must stop before an event of <paramref name="size"/> bytes: the overflow policy is to resume from
    /// the cursor and the buffer would drop it, because it is full in events or the event does not fit the byte budget
    /// (the buffer's own rule: one event larger than the budget still enters an empty buffer).
    /// </summary>
    public bool MustPauseBefore(long size)
    {
        if (_options.Overflow != JetstreamOverflow.ResumeFromCursor)
        {
            return false;
        }

        var bytes = Interlocked.Read(ref _queuedBytes);
        return Volatile.Read(ref _depth) >= Capacity || (bytes > 0 && bytes + size > ByteLimit);
    }

    /// <summary>
    /// Whether an incoming event would be dropped now whatever its size: the policy is to drop, and the buffer that the
    /// reader fills directly holds its capacity in events. The reader then drops the event from its header alone, without
    /// building it (#16: drop before decode). Always false for a buffer the reader does not fill directly (none attached).
    /// </summary>
    public bool DropsIncomingNow => _options.Overflow == JetstreamOverflow.DropIncoming && _target is { IsFull: true };

    /// <summary>
    /// The buffer the reader fills directly (the stream's, or the async handler's queue when it takes the stream's place),
    /// for <see cref="DropsIncomingNow"/>: a buffer behind a subscriber's operators must not be, since what those operators
    /// filter out is not a drop.
    /// </summary>
    public void Attach(IIncomingDropTarget target) => _target = target;

    /// <summary>
    /// Drops <paramref name="header"/>, an event the reader did not build after <see cref="DropsIncomingNow"/>, counted by
    /// the buffer like any drop, if the buffer is still full and its subscriber still there.
    /// </summary>
    /// <returns>Whether it was dropped; if not, the reader builds the event and passes it on.</returns>
    public bool TryDropUndecoded(UndecodedEvent header) => _target?.TryDropIncoming(header) == true;

    /// <summary>After an overflow pause, waits until the subscriber has drained the buffer to half.</summary>
    public async Task WaitForDrainAsync(CancellationToken token)
    {
        if (Volatile.Read(ref _drained) is not { } drained)
        {
            return;
        }

        await drained.Task.WaitAsync(token).ConfigureAwait(false);
        Volatile.Write(ref _drained, null);
        _metrics.OverflowResumes.Add(1);
        _logger.OverflowResumed();
    }

    /// <summary>The reader stopped for a full buffer: the next attempt waits for the drain.</summary>
    public void Paused()
    {
        // Continuations run inline where the drain completes it, so that a virtual-time scheduler sees the reconnect.
        var drained = new TaskCompletionSource();
        Interlocked.Exchange(ref _drained, drained);
        _metrics.OverflowPauses.Add(1);
        _logger.OverflowPaused(Capacity);

        // The drain may have happened between the check and now.
        if (Interlocked.Read(ref _depth) <= Capacity / 2)
        {
            drained.TrySetResult();
        }
    }

    public void DepthChanged(int delta, long bytes)
    {
        _metrics.BufferDepth.Add(delta);
        var depth = Interlocked.Add(ref _depth, delta);
        var queuedBytes = Interlocked.Add(ref _queuedBytes, bytes);
        if (delta < 0 && depth <= Capacity / 2 && queuedBytes <= ByteLimit / 2 && Volatile.Read(ref _drained) is { Task.IsCompleted: false } drained)
        {
            // Resume from the scheduler, not from inside the queue's dequeue on the subscriber's thread.
            _options.Scheduler.Schedule(drained, static (_, d) =>
            {
                d.TrySetResult();
                return Disposable.Empty;
            });
        }
    }

    public void Dropped(JetstreamEvent item, bool firstInEpisode, int capacity)
    {
        _metrics.EventsDropped.Add(1);
        if (firstInEpisode)
        {
            _logger.BufferFull(capacity);
        }
    }

    public void EpisodeEnded(long dropped) => _logger.BufferRecovered(dropped);
}
