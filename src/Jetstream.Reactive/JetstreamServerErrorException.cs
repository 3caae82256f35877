namespace Jetstream.Reactive;

/// <summary>
/// A v2 server sent an <c>error</c> frame and closed the connection, such as <c>ConsumerTooSlow</c> (the reader fell too
/// far behind) or <c>InternalError</c>. Always retried: the connection is made again from the cursor.
/// </summary>
public sealed class JetstreamServerErrorException : JetstreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The error name (<c>error</c>).</param>
    /// <param name="serverMessage">The server's explanation (<c>message</c>), if any.</param>
    public JetstreamServerErrorException(string error, string? serverMessage)
        : base($"The Jetstream server sent error {JetstreamText.Printable(error, 100)}{(string.IsNullOrEmpty(serverMessage) ? "" : ": " + JetstreamText.Printable(serverMessage, 500))}")
    {
        Error = error;
        ServerMessage = serverMessage;
    }

    /// <summary>The error name, such as <c>ConsumerTooSlow</c> or <c>InternalError</c>.</summary>
    public string Error { get; }

    /// <summary>The server's explanation, if it sent one.</summary>
    public string? ServerMessage { get; }
}
