namespace Jetstream.Reactive;

/// <summary>No message arrived for <see cref="JetstreamOptions.IdleTimeout"/>; the connection was dropped. Always retried.</summary>
public sealed class JetstreamIdleTimeoutException : JetstreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="idleTimeout">The timeout that elapsed.</param>
    public JetstreamIdleTimeoutException(TimeSpan idleTimeout)
        : base($"No message arrived for {idleTimeout.TotalSeconds:0.###} s (JetstreamOptions.IdleTimeout); the connection was dropped.")
    {
        IdleTimeout = idleTimeout;
    }

    /// <summary>The timeout that elapsed.</summary>
    public TimeSpan IdleTimeout { get; }
}
