using System.Collections.Concurrent;

namespace Jetstream.Reactive.Testing.Archive;

/// <summary>Faults queued per archive endpoint: each request to an endpoint takes the next fault queued for it, if any.</summary>
public sealed class ArchiveFaultPlan
{
    private readonly ConcurrentDictionary<ArchiveEndpoint, ConcurrentQueue<ArchiveFault>> _queues = new();
    private long _injected;

    /// <summary>How long <see cref="ArchiveFault.Slow"/> holds an answer back.</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Run after each plan page is written (with the page number from 1): seal more segments here to move the tip mid-sweep.</summary>
    public Action<int>? AfterPlanPage { get; set; }

    /// <summary>Run before each archive request is answered (with its endpoint): change the archive or the log at an exact point of a sweep.</summary>
    public Action<ArchiveEndpoint>? BeforeAnswer { get; set; }

    /// <summary>Faults injected so far.</summary>
    public long Injected => Interlocked.Read(ref _injected);

    /// <summary>Queues <paramref name="count"/> faults for the next requests to <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="fault">The fault.</param>
    /// <param name="count">How many requests in a row get it.</param>
    /// <returns>This plan, for chaining.</returns>
    public ArchiveFaultPlan Enqueue(ArchiveEndpoint endpoint, ArchiveFault fault, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var queue = _queues.GetOrAdd(endpoint, _ => new ConcurrentQueue<ArchiveFault>());
        for (var i = 0; i < count; i++)
        {
            queue.Enqueue(fault);
        }

        return this;
    }

    internal ArchiveFault? Take(ArchiveEndpoint endpoint)
    {
        if (_queues.TryGetValue(endpoint, out var queue) && queue.TryDequeue(out var fault))
        {
            Interlocked.Increment(ref _injected);
            return fault;
        }

        return null;
    }
}
