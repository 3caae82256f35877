using System.Net;

namespace Jetstream.Reactive;

/// <summary>
/// The server answered the WebSocket upgrade with an HTTP status other than 101. 5xx (a server starting or overloaded),
/// 408 and 429 are retried. Anything else ends the stream: a 4xx is a rejected request (bad filter, bad cursor), and a
/// redirect or a plain page means the endpoint is not a Jetstream socket (redirects are not followed).
/// </summary>
public sealed class JetstreamHandshakeException : JetstreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="body">The start of the response body (at most 4 KiB), as text.</param>
    public JetstreamHandshakeException(HttpStatusCode statusCode, string body)
        : base(FormatMessage(statusCode, body))
    {
        StatusCode = statusCode;
        Body = body ?? string.Empty;
    }

    /// <summary>The HTTP status of the upgrade response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The start of the response body (at most 4 KiB), such as <c>invalid cursor: abc</c>.</summary>
    public string Body { get; }

    /// <inheritdoc />
    public override bool IsRetryable =>
        (int)StatusCode >= 500 || StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static string FormatMessage(HttpStatusCode status, string body)
    {
        var text = string.IsNullOrWhiteSpace(body) ? "(no body)" : body.Trim();
        return $"The Jetstream server rejected the WebSocket upgrade with HTTP {(int)status} {status}: {text}";
    }
}
