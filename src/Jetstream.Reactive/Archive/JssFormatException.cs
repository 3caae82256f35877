namespace Jetstream.Reactive.Archive;

/// <summary>
/// A <c>.jss</c> archive segment or block is malformed, corrupt, or of a format version this library does not know.
/// Corruption in transit (a bad checksum, a cut-off body) is worth retrying, so the exception says retryable.
/// </summary>
public sealed class JssFormatException : JetstreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the field and the value found.</param>
    public JssFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that revealed it.</summary>
    /// <param name="message">What is wrong, naming the field and the value found.</param>
    /// <param name="innerException">The underlying error (zstd, CBOR, I/O).</param>
    public JssFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
