namespace Jetstream.Reactive.Testing;

/// <summary>
/// Which <see cref="ConnectionScript"/> each new connection gets: queued scripts first (in order), then, when
/// <see cref="RandomDrops"/> is set, a drop after a number of events drawn from a seeded generator, so a run with the
/// same seed and the same connection order is reproducible. Thread-safe.
/// </summary>
public sealed class FaultPlan
{
    private readonly object _lock = new();
    private readonly Queue<ConnectionScript> _queue = new();
    private Random? _random;
    private int _minEvents;
    private int _maxEvents;
    private int _randomLeft;

    /// <summary>Queues <paramref name="script"/> for the next connection that has no script yet.</summary>
    /// <param name="script">The script.</param>
    /// <returns>This plan.</returns>
    public FaultPlan Next(ConnectionScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        lock (_lock)
        {
            _queue.Enqueue(script);
        }

        return this;
    }

    /// <summary>Builds a script with <paramref name="configure"/> and queues it for the next connection.</summary>
    /// <param name="configure">Adds steps to a new script.</param>
    /// <returns>This plan.</returns>
    public FaultPlan Next(Action<ConnectionScript> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var script = new ConnectionScript();
        configure(script);
        return Next(script);
    }

    /// <summary>The next <paramref name="connections"/> upgrades get 503 with a body like the newer server's while it warms up.</summary>
    /// <param name="connections">How many connections are refused.</param>
    /// <param name="body">The body; default <c>service not ready: bootstrap in progress</c>.</param>
    /// <returns>This plan.</returns>
    public FaultPlan WarmUp(int connections, string body = "service not ready: bootstrap in progress")
    {
        for (var i = 0; i < connections; i++)
        {
            Next(s => s.RejectUpgrade(503, body));
        }

        return this;
    }

    /// <summary>
    /// After the queued scripts, each of the next <paramref name="connections"/> connections drops its TCP connection
    /// after a number of events drawn uniformly from [<paramref name="minEvents"/>, <paramref name="maxEvents"/>] by a
    /// generator seeded with <paramref name="seed"/>.
    /// </summary>
    /// <param name="seed">The seed: the same seed gives the same drop points.</param>
    /// <param name="minEvents">The fewest events before a drop (at least 0).</param>
    /// <param name="maxEvents">The most events before a drop.</param>
    /// <param name="connections">How many connections get a random drop; later ones get none.</param>
    /// <returns>This plan.</returns>
    public FaultPlan RandomDrops(int seed, int minEvents, int maxEvents, int connections = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minEvents);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, minEvents);
        lock (_lock)
        {
            _random = new Random(seed);
            _minEvents = minEvents;
            _maxEvents = maxEvents;
            _randomLeft = connections;
        }

        return this;
    }

    internal ConnectionScript? Take()
    {
        lock (_lock)
        {
            if (_queue.TryDequeue(out var script))
            {
                return script;
            }

            if (_random is not null && _randomLeft > 0)
            {
                _randomLeft--;
                return new ConnectionScript().DropAfter(_random.Next(_minEvents, _maxEvents + 1));
            }

            return null;
        }
    }
}
