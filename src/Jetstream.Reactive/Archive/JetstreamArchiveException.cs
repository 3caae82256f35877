using System.Net;

namespace Jetstream.Reactive.Archive;

/// <summary>An archive HTTP call failed: an error status, or a plan the client cannot follow.</summary>
public sealed class JetstreamArchiveException : JetstreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="endpoint">The archive method, such as <c>planSnapshot</c>.</param>
    /// <param name="statusCode">The HTTP status, when there was one.</param>
    /// <param name="error">The XRPC <c>error</c> name, when the body had one.</param>
    /// <param name="message">What happened (server text is cut short and neutralised).</param>
    /// <param name="retryable">Whether trying again may help.</param>
    public JetstreamArchiveException(string endpoint, HttpStatusCode? statusCode, string? error, string message, bool retryable)
        : base(message)
    {
        Endpoint = endpoint;
        StatusCode = statusCode;
        Error = error;
        Retryable = retryable;
    }

    /// <summary>The archive method, such as <c>planSnapshot</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The HTTP status, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The XRPC <c>error</c> name (match on this, never on the message), when the body had one.</summary>
    public string? Error { get; }

    /// <inheritdoc />
    public override bool IsRetryable => Retryable;

    private bool Retryable { get; }
}
