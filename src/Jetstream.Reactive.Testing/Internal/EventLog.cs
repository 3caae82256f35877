namespace Jetstream.Reactive.Testing.Internal;

/// <summary>
/// The server's ordered store: events get consecutive sequence numbers from 1 and strictly increasing <c>time_us</c>
/// stamps from the server's clock, as the legacy server's sequencer does. Older events are trimmed beyond the retention.
/// Readers wait for appends without polling.
/// </summary>
internal sealed class EventLog
{
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly int _retain;
    private readonly List<StoredEvent> _events = [];
    private int _start;
    private long _lastTimeUs;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EventLog(TimeProvider time, int retain)
    {
        _time = time;
        _retain = retain;
    }

    /// <summary>The sequence number the next appended event gets.</summary>
    public long NextSeq
    {
        get
        {
            lock (_lock)
            {
                return NextSeqLocked;
            }
        }
    }

    /// <summary>The oldest retained sequence number (the lookback floor); equals <see cref="NextSeq"/> when empty.</summary>
    public long FloorSeq
    {
        get
        {
            lock (_lock)
            {
                return _events.Count > _start ? _events[_start].Seq : NextSeqLocked;
            }
        }
    }

    private long NextSeqLocked => _events.Count == 0 ? 1 : _events[^1].Seq + 1;

    /// <summary>A new instance behind the same name: the log is emptied and numbering starts from 1 again.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _events.Clear();
            _start = 0;
        }
    }

    /// <summary>Stamps and appends source events; returns how many were appended (malformed sources are skipped and counted by the caller).</summary>
    public int Append(IEnumerable<ReadOnlyMemory<byte>> sources, Action<Exception>? onBadSource = null)
    {
        var appended = 0;
        TaskCompletionSource signal;
        lock (_lock)
        {
            foreach (var source in sources)
            {
                var now = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
                var timeUs = Math.Max(now, _lastTimeUs + 1);
                try
                {
                    _events.Add(EventStamper.Stamp(source.Span, NextSeqLocked, timeUs));
                }
                catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
                {
                    onBadSource?.Invoke(e);
                    continue;
                }

                _lastTimeUs = timeUs;
                appended++;
            }

            var excess = _events.Count - _start - _retain;
            if (excess > 0)
            {
                // Drop references so trimmed events can be collected; compact now and then.
                for (var i = _start; i < _start + excess; i++)
                {
                    _events[i] = null!;
                }

                _start += excess;
                if (_start > 4096 && _start > _events.Count / 2)
                {
                    _events.RemoveRange(0, _start);
                    _start = 0;
                }
            }

            signal = _appended;
            if (appended > 0)
            {
                _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (appended > 0)
        {
            signal.TrySetResult();
        }

        return appended;
    }

    /// <summary>The retained event with sequence <paramref name="seq"/>, if any.</summary>
    public bool TryGet(long seq, out StoredEvent stored)
    {
        lock (_lock)
        {
            if (_events.Count > _start)
            {
                var index = seq - _events[_start].Seq + _start;
                if (index >= _start && index < _events.Count)
                {
                    stored = _events[(int)index];
                    return true;
                }
            }
        }

        stored = null!;
        return false;
    }

    /// <summary>The first retained sequence whose <c>time_us</c> is at or after <paramref name="timeUs"/> (inclusive), or <see cref="NextSeq"/>.</summary>
    public long SeqAtOrAfterTime(long timeUs)
    {
        lock (_lock)
        {
            int lo = _start, hi = _events.Count;
            while (lo < hi)
            {
                var mid = lo + ((hi - lo) / 2);
                if (_events[mid].TimeUs < timeUs)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo < _events.Count ? _events[lo].Seq : NextSeqLocked;
        }
    }

    /// <summary>Completes when an event with sequence <paramref name="seq"/> or later has been appended.</summary>
    public Task WaitForAsync(long seq, CancellationToken token)
    {
        Task wait;
        lock (_lock)
        {
            if (NextSeqLocked > seq)
            {
                return Task.CompletedTask;
            }

            wait = _appended.Task;
        }

        return wait.WaitAsync(token);
    }
}
