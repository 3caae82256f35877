namespace Jetstream.Reactive;

/// <summary>The connection could not be made or failed in transit (DNS, TCP, TLS, a reset socket). Always retried.</summary>
public sealed class JetstreamConnectionException : JetstreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The transport error.</param>
    public JetstreamConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
