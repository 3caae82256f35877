namespace Jetstream.Reactive.Reconnect;

/// <summary>
/// What to do after a connection ended with an error: the reconnect policy returns it and the retry operator acts on it,
/// so the decision travels as a value rather than through state another delegate reads back.
/// </summary>
internal enum ReconnectDecision
{
    /// <summary>The error is final: the stream ends with it.</summary>
    Stop,

    /// <summary>Reconnect after the backoff delay; the attempt counts toward the backoff.</summary>
    AfterBackoff,

    /// <summary>Reconnect at once, without counting an attempt (a planned restart: filter change, overflow pause, a handshake recovery).</summary>
    Now,
}
