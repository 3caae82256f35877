namespace Jetstream.Reactive.Buffering;

/// <summary>
/// A run of hand-offs made by one producer thread without waiting in between (#16). While a batch is open on a thread,
/// a buffer that queues an item on that thread does not wake its drain loop at once: it asks to be woken when the batch
/// closes, so a burst read from the socket costs one scheduled drain, not one per item the consumer happened to catch
/// up on. The producer opens the batch after a read and closes it before it waits (and after at most a bounded number
/// of items), so a deferred wake is never later than the producer's next wait: nothing is delayed past the point where
/// the producer could not have made progress anyway, and the drain still runs on the buffer's scheduler (virtual time
/// is unchanged: no time passes inside a run).
/// </summary>
internal sealed class DeliveryBatch
{
    [ThreadStatic]
    private static DeliveryBatch? t_current;

    // Almost always one sink (the stream's buffer); a user's buffer behind an immediate scheduler may add more.
    private IDeferredWake? _first;
    private List<IDeferredWake>? _more;

    /// <summary>
    /// Asks the batch open on this thread, if any, to wake <paramref name="sink"/> when it closes.
    /// </summary>
    /// <returns>Whether the wake is deferred (false: no batch is open here; the caller wakes itself now).</returns>
    public static bool TryDefer(IDeferredWake sink)
    {
        var batch = t_current;
        if (batch is null)
        {
            return false;
        }

        batch.Add(sink);
        return true;
    }

    /// <summary>Opens the batch on the calling thread (again, after an await that may have moved the producer).</summary>
    public void Enter() => t_current = this;

    /// <summary>Closes the batch on the calling thread and wakes every sink that deferred its wake, in the order they asked.</summary>
    public void Exit()
    {
        if (ReferenceEquals(t_current, this))
        {
            t_current = null;
        }

        var first = _first;
        if (first is null)
        {
            return;
        }

        _first = null;
        var more = _more;
        _more = null;
        first.Wake();
        if (more is not null)
        {
            foreach (var sink in more)
            {
                sink.Wake();
            }
        }
    }

    private void Add(IDeferredWake sink)
    {
        if (_first is null)
        {
            _first = sink;
        }
        else if (!ReferenceEquals(_first, sink))
        {
            _more ??= [];
            if (!_more.Contains(sink))
            {
                _more.Add(sink);
            }
        }
    }
}
