namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>Where the hosted consumer's connection stands.</summary>
internal enum ConnectionState
{
    /// <summary>Not started, stopped, or ended by an error (<see cref="ConnectionSnapshot.Error"/>).</summary>
    Stopped,

    /// <summary>Started; the first connection is not open yet.</summary>
    Connecting,

    /// <summary>The connection is open.</summary>
    Connected,

    /// <summary>The connection was lost and is being made again.</summary>
    Reconnecting,
}

/// <summary>A consistent copy of <see cref="ConnectionMonitor"/>'s state.</summary>
internal sealed record ConnectionSnapshot(
    ConnectionState State,
    string? Endpoint,
    int Attempt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    Exception? Error,
    long Reconnects,
    long EventsReceived,
    TimeSpan? Lag,
    DateTimeOffset? LastEventAt,
    DateTimeOffset? Since);

/// <summary>
/// Follows the connection from what the library reports: its connection states (<c>Connected</c>,
/// <c>Reconnecting</c> with the error, <c>Stopped</c>, from <see cref="JetstreamOptions.ConnectionStates"/>), the events passing
/// through, and the stream's end. Thread-safe.
/// </summary>
internal sealed class ConnectionMonitor(TimeProvider time)
{
    private readonly Lock _gate = new();
    private ConnectionState _state;
    private string? _endpoint;
    private int _attempt;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private Exception? _error;
    private long _reconnects;
    private long _events;
    private TimeSpan? _lag;
    private DateTimeOffset? _lastEventAt;
    private DateTimeOffset? _since;

    public TimeProvider Time { get; } = time;

    public ConnectionSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new ConnectionSnapshot(_state, _endpoint, _attempt, _lastError, _lastErrorAt, _error, _reconnects, _events, _lag, _lastEventAt, _since);
        }
    }

    public void Starting()
    {
        lock (_gate)
        {
            _state = ConnectionState.Connecting;
            _error = null;
            _attempt = 0;
            _since = Time.GetUtcNow();
        }
    }

    public void Connected(string? endpoint)
    {
        lock (_gate)
        {
            if (_state == ConnectionState.Stopped)
            {
                return;
            }

            _state = ConnectionState.Connected;
            _endpoint = endpoint ?? _endpoint;
            _since = Time.GetUtcNow();
        }
    }

    public void ConnectionLost(string? endpoint, string? reason)
    {
        lock (_gate)
        {
            if (_state == ConnectionState.Stopped)
            {
                return;
            }

            _state = ConnectionState.Reconnecting;
            _endpoint = endpoint ?? _endpoint;
            _lastError = reason;
            _lastErrorAt = Time.GetUtcNow();
            _since = _lastErrorAt;
        }
    }

    public void Reconnecting(int attempt)
    {
        lock (_gate)
        {
            if (_state == ConnectionState.Stopped)
            {
                return;
            }

            _state = ConnectionState.Reconnecting;
            _attempt = attempt;
            _reconnects++;
        }
    }

    public void Failed(string? reason)
    {
        lock (_gate)
        {
            _lastError = reason ?? _lastError;
            _lastErrorAt = Time.GetUtcNow();
        }
    }

    /// <summary>An event passed from the connection to the handlers' buffers.</summary>
    public void Received(JetstreamEvent e)
    {
        var now = Time.GetUtcNow();
        lock (_gate)
        {
            _events++;
            _lag = LagOf(now, e.TimeUs);
            _lastEventAt = now;
            _attempt = 0;

            // An event proves the connection is open even when its Connected log was missed.
            if (_state is ConnectionState.Connecting or ConnectionState.Reconnecting)
            {
                _state = ConnectionState.Connected;
                _since = now;
            }
        }
    }

    /// <summary>The time between <paramref name="timeUs"/> (unix microseconds) and <paramref name="now"/>, clamped to ±100 years.</summary>
    public static TimeSpan LagOf(DateTimeOffset now, long timeUs)
    {
        const long Limit = 100L * 365 * 24 * 3600 * 1_000_000;
        var nowUs = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        var lagUs = Math.Clamp(nowUs - Math.Clamp(timeUs, -Limit, Limit), -Limit, Limit);
        return TimeSpan.FromTicks(lagUs * 10);
    }

    /// <summary>The stream ended (<paramref name="error"/> is null after a completion) or the host stopped it.</summary>
    public void Stopped(Exception? error)
    {
        lock (_gate)
        {
            if (_state == ConnectionState.Stopped && error is null)
            {
                return;
            }

            _state = ConnectionState.Stopped;
            _error = error ?? _error;
            _since = Time.GetUtcNow();
            if (error is not null)
            {
                _lastError = error.Message;
                _lastErrorAt = _since;
            }
        }
    }
}
