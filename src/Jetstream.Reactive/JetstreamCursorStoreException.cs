namespace Jetstream.Reactive;

/// <summary>
/// <see cref="JetstreamOptions.CursorStore"/> could not load the saved cursor: the stream ends with this error rather
/// than start from the wrong place (the live tail would silently skip what happened while the process was down). Also
/// what <c>DisposeAsync</c> of a subscription throws when the final save of the cursor failed.
/// </summary>
public sealed class JetstreamCursorStoreException : JetstreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The store's error.</param>
    public JetstreamCursorStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsRetryable => false;
}
