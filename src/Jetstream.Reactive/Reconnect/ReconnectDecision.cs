namespace Jetstream.Reactive.Reconnect;

/// <summary>
/// What to do after a connection ended with an error: the reconnect policy returns it, the retry operator acts on its
/// <see cref="Timing"/> and hands it back with the retry, so the decision travels as a value rather than through state
/// another delegate reads back.
/// </summary>
/// <param name="Timing">Stop, reconnect after the backoff, or reconnect now.</param>
/// <param name="Reason">Why, as the <c>jetstream.reason</c> tag of <c>jetstream.client.reconnects</c> (one of <see cref="ReconnectPolicy"/>'s <c>Reconnect*</c> constants).</param>
internal readonly record struct ReconnectDecision(ReconnectTiming Timing, string Reason)
{
    /// <summary>The error is final.</summary>
    public static ReconnectDecision Stop { get; } = new(ReconnectTiming.Stop, ReconnectPolicy.ReconnectFailure);

    /// <summary>Reconnect after the backoff delay, for <paramref name="reason"/>.</summary>
    public static ReconnectDecision AfterBackoff(string reason = ReconnectPolicy.ReconnectFailure) => new(ReconnectTiming.AfterBackoff, reason);

    /// <summary>Reconnect at once, for <paramref name="reason"/>.</summary>
    public static ReconnectDecision Now(string reason) => new(ReconnectTiming.Now, reason);
}
