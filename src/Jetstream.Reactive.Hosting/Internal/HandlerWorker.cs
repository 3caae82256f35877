using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>An event in a handler's buffer, with the acknowledgement that lets the durable cursor move past it once handled.</summary>
internal readonly record struct Tracked(JetstreamEvent Event, JetstreamDeferredAck? Ack);

/// <summary>A consistent copy of one handler's counters.</summary>
internal sealed record HandlerSnapshot(string Name, int Capacity, int Pending, long Handled, long Failed, long Dropped, TimeSpan? Lag);

/// <summary>
/// One handler registration: its own bounded buffer, filled by the shared connection without ever waiting (a full buffer
/// drops the incoming event for this handler alone), and one loop that takes what is buffered (one event, or up to a batch)
/// and awaits the handler in a new DI scope. For the saved cursor it holds each buffered event's acknowledgement
/// (<see cref="JetstreamAck.Defer"/>) and gives it when the handler finished the event (or failed on it), so the library
/// saves the last event every handler finished; a dropped event is given up on at once.
/// </summary>
internal sealed class HandlerWorker : IObserver<JetstreamEvent>
{
    private readonly HandlerRegistration _registration;
    private readonly Channel<Tracked> _channel;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly HostingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly KeyValuePair<string, object?> _handlerTag;
    private readonly Lock _gate = new();
    private int _pending;
    private JetstreamDeferredAck? _lastAck;
    private long _handled;
    private long _failed;
    private long _dropped;
    private long _episodeDropped;
    private long _pendingBytes;
    private bool _dropping;
    private bool _closed;
    private TimeSpan? _lag;

    public HandlerWorker(HandlerRegistration registration, int capacity, IServiceScopeFactory scopes, ILogger logger, HostingMetrics metrics, TimeProvider time, long byteLimit = long.MaxValue)
    {
        ByteLimit = byteLimit;
        _registration = registration;
        Capacity = capacity;
        _scopes = scopes;
        _logger = logger;
        _metrics = metrics;
        _time = time;
        _handlerTag = new KeyValuePair<string, object?>(HostingMetrics.HandlerTag, registration.Name);
        _channel = Channel.CreateBounded<Tracked>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // never waited on: TryWrite reports full, and the event is dropped
            SingleReader = true,
            SingleWriter = true,
        });
    }

    public string Name => _registration.Name;

    public int Capacity { get; }

    /// <summary>The most bytes of events buffered for this handler (an event into an empty buffer always fits).</summary>
    public long ByteLimit { get; }

    /// <summary>Events buffered or being handled.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending;
            }
        }
    }

    /// <summary>The last acknowledgement this worker held: through it, the stop waits for the library's final cursor save.</summary>
    public JetstreamDeferredAck? LastAck
    {
        get
        {
            lock (_gate)
            {
                return _lastAck;
            }
        }
    }

    public HandlerSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new HandlerSnapshot(Name, Capacity, _pending, _handled, _failed, _dropped, _lag);
        }
    }

    public void OnNext(JetstreamEvent value)
    {
        // Held until handled; never given for an event that arrives while stopping, so the saved cursor stays before it.
        var ack = JetstreamAck.Defer();
        bool accepted;
        bool firstDrop;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            var size = SizeOf(value);
            accepted = (_pendingBytes == 0 || _pendingBytes + size <= ByteLimit) && _channel.Writer.TryWrite(new Tracked(value, ack));
            firstDrop = !accepted && !_dropping;
            if (accepted)
            {
                _pending++;
                _pendingBytes += size;
            }
            else
            {
                _dropped++;
                _episodeDropped++;
                _dropping = true;
            }

            _lastAck = ack ?? _lastAck;
        }

        if (!accepted)
        {
            // Dropped for this handler: given up on, so it does not hold the cursor back.
            ack?.Acknowledge();
            _metrics.HandlerEvents.Add(1, _handlerTag, new KeyValuePair<string, object?>(HostingMetrics.OutcomeTag, "dropped"));
            if (firstDrop)
            {
                _logger.HandlerBufferFull(Name, Capacity);
            }
        }
    }

    public void OnError(Exception error) => Close();

    public void OnCompleted() => Close();

    /// <summary>No more events: the loop handles what is buffered and ends.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _channel.Writer.TryComplete();
        }
    }

    /// <summary>Handles buffered events until <see cref="Close"/> and an empty buffer, or until <paramref name="token"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken token)
    {
        var reader = _channel.Reader;
        var max = _registration.MaxBatchSize;
        var batch = new List<Tracked>(Math.Min(max, 1024));
        var single = new JetstreamEvent[1];
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < max && reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                JetstreamEvent[] events;
                if (max == 1)
                {
                    single[0] = batch[0].Event;
                    events = single;
                }
                else
                {
                    events = new JetstreamEvent[batch.Count];
                    for (var i = 0; i < batch.Count; i++)
                    {
                        events[i] = batch[i].Event;
                    }
                }

                await HandleAsync(batch, events, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped before the buffer was empty: what is left is not handled, and the saved cursor stays before it.
        }
    }

    private async Task HandleAsync(List<Tracked> batch, JetstreamEvent[] events, CancellationToken token)
    {
        var started = _time.GetTimestamp();
        Exception? failure = null;
        try
        {
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                await _registration.Invoke(scope.ServiceProvider, events, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A handler is user code: its failure is logged and counted, and the next event follows.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
        }

        var elapsed = _time.GetElapsedTime(started);
        var now = _time.GetUtcNow();
        long recovered = -1;
        lock (_gate)
        {
            _pending -= batch.Count;
            foreach (var done in batch)
            {
                _pendingBytes -= SizeOf(done.Event);
            }

            _lag = ConnectionMonitor.LagOf(now, batch[^1].Event.TimeUs);
            if (failure is null)
            {
                _handled += batch.Count;
            }
            else
            {
                _failed += batch.Count;
            }

            if (_dropping && _pending <= Capacity / 2 && _pendingBytes <= ByteLimit / 2)
            {
                recovered = _episodeDropped;
                _dropping = false;
                _episodeDropped = 0;
            }
        }

        // Finished (or failed: the next event follows, as the handler errors are logged and counted): the cursor may pass it.
        foreach (var done in batch)
        {
            done.Ack?.Acknowledge();
        }

        _metrics.HandlerDuration.Record(elapsed.TotalSeconds, _handlerTag);
        _metrics.HandlerEvents.Add(batch.Count, _handlerTag, new KeyValuePair<string, object?>(HostingMetrics.OutcomeTag, failure is null ? "handled" : "failed"));
        if (failure is not null)
        {
            var first = batch[0].Event;
            _logger.HandlerFailed(Name, batch.Count, first.Kind, first.Cursor, failure);
        }

        if (recovered >= 0)
        {
            _logger.HandlerBufferRecovered(Name, recovered);
        }
    }

    /// <summary>
    /// About the memory an event holds while buffered: its payload plus 512 bytes for the object (the same rule as the
    /// connection's own buffer, <see cref="JetstreamOptions.BufferByteLimit"/>).
    /// </summary>
    // The core's EventSize rule (internal there): the payload, the RetainRawJson copy, and 512 B for the object.
    private static long SizeOf(JetstreamEvent e) => 512 + e.RawJson.Length + e switch
    {
        CommitEvent c => c.Commit.RecordJson.Length,
        SyncEvent s => s.Blocks.Length,
        IdentityEvent i => 2L * (i.Handle?.Length ?? 0),
        _ => 0,
    };
}
