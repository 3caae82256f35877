namespace Jetstream.Reactive.Reconnect;

/// <summary>
/// The host the next connection goes to: the first of <see cref="EndpointList.Resolve"/>, then, after
/// <see cref="JetstreamOptions.FailoverAfterAttempts"/> failed attempts in a row without queuing an event, the next one (round
/// robin). An attempt that queued an event resets the count.
/// </summary>
internal sealed class EndpointRotation
{
    private readonly JetstreamOptions _options;
    private volatile int _current;
    private bool _progressThisAttempt;
    private int _failuresInRow;

    public EndpointRotation(JetstreamOptions options, IReadOnlyList<Uri> endpoints)
    {
        _options = options;
        Endpoints = endpoints;
    }

    /// <summary>The hosts, in order.</summary>
    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>The index of the host the next (or running) connection goes to.</summary>
    public int Current => _current;

    /// <summary>The host the next (or running) connection goes to.</summary>
    public Uri CurrentUri => Endpoints[_current];

    /// <summary>The authority of host <paramref name="index"/>, or the current host's when it is not a configured index.</summary>
    public string AuthorityOf(int index) => (index >= 0 && index < Endpoints.Count ? Endpoints[index] : CurrentUri).Authority;

    /// <summary>A connection attempt is starting.</summary>
    public void AttemptStarted() => _progressThisAttempt = false;

    /// <summary>The attempt queued an event: the host works.</summary>
    public void Progress()
    {
        _progressThisAttempt = true;
        _failuresInRow = 0;
    }

    /// <summary>
    /// An attempt failed in a way worth retrying. Returns the number of failures in a row that moved the rotation to the
    /// next host, or 0 when it stays.
    /// </summary>
    public int Failed()
    {
        if (_progressThisAttempt || Endpoints.Count < 2 || ++_failuresInRow < _options.FailoverAfterAttempts)
        {
            return 0;
        }

        var failures = _failuresInRow;
        _failuresInRow = 0;
        _current = (_current + 1) % Endpoints.Count;
        return failures;
    }
}
