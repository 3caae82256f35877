namespace Jetstream.Reactive.Reconnect;

/// <summary>When to reconnect after a connection ended with an error (the <see cref="ReconnectDecision.Timing"/>).</summary>
internal enum ReconnectTiming
{
    /// <summary>The error is final: the stream ends with it.</summary>
    Stop,

    /// <summary>Reconnect after the backoff delay; the attempt counts toward the backoff.</summary>
    AfterBackoff,

    /// <summary>Reconnect at once, without counting an attempt (a planned restart: filter change, overflow pause, a handshake recovery).</summary>
    Now,
}
