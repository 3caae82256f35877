using System.Reactive.Concurrency;
using Jetstream.Reactive.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>A consistent copy of one handler's counters.</summary>
internal sealed record HandlerSnapshot(string Name, int Capacity, int Pending, long Handled, long Failed, long Dropped, TimeSpan? Lag);

/// <summary>
/// One handler registration on the library's buffer (<see cref="JetstreamOperators.SubscribeBatchesAsync{T}"/>): its own
/// bounded queue behind the shared connection (a full queue drops the incoming event for this handler alone), one call
/// at a time with what is queued (one event, or up to a batch), each in a new DI scope. The library holds each queued
/// event's cursor acknowledgement until the call for it ended, so the saved cursor is the last event every handler
/// finished; handler failures are logged and counted here and the next event follows.
/// </summary>
internal sealed class HandlerWorker : IDisposable
{
    private readonly HandlerRegistration _registration;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly HostingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly KeyValuePair<string, object?> _handlerTag;
    private readonly Lock _gate = new();
    private AsyncSubscription? _subscription;
    private int _inFlight;
    private long _handled;
    private long _failed;
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
    }

    public string Name => _registration.Name;

    public int Capacity { get; }

    /// <summary>The most bytes of events queued for this handler (an event into an empty queue always fits).</summary>
    public long ByteLimit { get; }

    /// <summary>Events queued or being handled.</summary>
    public int Pending => (_subscription?.Queued ?? 0) + Volatile.Read(ref _inFlight);

    public HandlerSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new HandlerSnapshot(Name, Capacity, Pending, _handled, _failed, _subscription?.Dropped ?? 0, _lag);
        }
    }

    /// <summary>Subscribes the handler's queue to the shared events; the calls start on <paramref name="scheduler"/>.</summary>
    public void Start(IObservable<JetstreamEvent> events, IScheduler? scheduler = null)
    {
        _subscription = events.SubscribeBatchesAsync(
            HandleAsync,
            _registration.MaxBatchSize,
            onError: static _ => { }, // the stream's end is reported once, by the hosted service
            options: new AsyncHandlerOptions
            {
                BufferCapacity = Capacity,
                BufferByteLimit = ByteLimit == long.MaxValue ? null : ByteLimit,
                OnHandlerError = HandlerErrorBehavior.Continue,
                Scheduler = scheduler,
                Dropped = OnDropped,
                DropsEnded = dropped => _logger.HandlerBufferRecovered(Name, dropped),
            });
    }

    /// <summary>Handles what is queued and completes after the library's final cursor save.</summary>
    public Task DrainAsync() => _subscription?.DrainAsync(CancellationToken.None) ?? Task.CompletedTask;

    /// <summary>Gives up: the running call's token is cancelled, and what is queued is not handled (nor saved).</summary>
    public void Dispose() => _subscription?.Dispose();

    private void OnDropped(bool firstInEpisode)
    {
        _metrics.HandlerEvents.Add(1, _handlerTag, new KeyValuePair<string, object?>(HostingMetrics.OutcomeTag, "dropped"));
        if (firstInEpisode)
        {
            _logger.HandlerBufferFull(Name, Capacity);
        }
    }

    private async Task HandleAsync(IReadOnlyList<JetstreamEvent> events, CancellationToken token)
    {
        Volatile.Write(ref _inFlight, events.Count);
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
            // Stopped before the call ended: not handled, so the library does not save past it.
            Volatile.Write(ref _inFlight, 0);
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
        lock (_gate)
        {
            _lag = ConnectionMonitor.LagOf(now, events[^1].TimeUs);
            if (failure is null)
            {
                _handled += events.Count;
            }
            else
            {
                _failed += events.Count;
            }
        }

        Volatile.Write(ref _inFlight, 0);
        _metrics.HandlerDuration.Record(elapsed.TotalSeconds, _handlerTag);
        _metrics.HandlerEvents.Add(events.Count, _handlerTag, new KeyValuePair<string, object?>(HostingMetrics.OutcomeTag, failure is null ? "handled" : "failed"));
        if (failure is not null)
        {
            var first = events[0];
            _logger.HandlerFailed(Name, events.Count, first.Kind, first.Cursor, failure);
        }
    }
}
