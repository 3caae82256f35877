namespace Jetstream.Reactive;

/// <summary>
/// The base of the errors a Jetstream stream reports. <see cref="IsRetryable"/> says whether
/// <see cref="JetstreamObservable.Connect"/> retries it (with backoff) or ends the stream with it.
/// </summary>
public class JetstreamException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JetstreamException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public JetstreamException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public JetstreamException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether reconnecting may fix it (a network failure, a server restart) as opposed to a rejected request.</summary>
    public virtual bool IsRetryable => true;
}
