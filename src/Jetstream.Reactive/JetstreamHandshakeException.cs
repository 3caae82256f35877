using System.Net;
using System.Text.Json;

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
        (Error, ErrorMessage) = ParseXrpcError(Body);
    }

    /// <summary>The HTTP status of the upgrade response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The start of the response body (at most 4 KiB), such as <c>invalid cursor: abc</c>.</summary>
    public string Body { get; }

    /// <summary>
    /// The XRPC error name when the body is a JSON <c>{"error": …, "message": …}</c> envelope, as protocol v2 sends
    /// (<c>InvalidRequest</c>, <c>CursorTooOld</c>, <c>UnknownZstdDictionary</c>, <c>ServiceUnavailable</c>);
    /// otherwise <see langword="null"/>. Match on this, never on the message text.
    /// </summary>
    public string? Error { get; }

    /// <summary>The <c>message</c> of an XRPC error body, if it has one.</summary>
    public string? ErrorMessage { get; }

    /// <inheritdoc />
    public override bool IsRetryable =>
        (int)StatusCode >= 500 || StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static (string? Error, string? Message) ParseXrpcError(string body)
    {
        var trimmed = body.AsSpan().Trim();
        if (trimmed.IsEmpty || trimmed[0] != '{')
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? StringOf(e) : null;
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? StringOf(m) : null;
            return error is null ? (null, null) : (error, message);
        }
        catch (JsonException)
        {
            // A cut-off body (the transport keeps 4 KiB) or a page that is not JSON: no XRPC error to report.
            return (null, null);
        }
    }

    /// <summary>
    /// The string value, or its JSON escaped form when it cannot be a .NET string: a lone surrogate escape such as
    /// <c>"\udc00"</c> is valid JSON, and <see cref="JsonElement.GetString"/> throws on it.
    /// </summary>
    private static string StringOf(JsonElement value)
    {
        try
        {
            return value.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            var raw = value.GetRawText();
            return raw.Length >= 2 ? raw[1..^1] : raw;
        }
    }

    private static string FormatMessage(HttpStatusCode status, string body)
    {
        // The message is logged and printed: the body is cleaned and cut; Body keeps it as sent.
        var text = string.IsNullOrWhiteSpace(body) ? "(no body)" : JetstreamText.Printable(body.Trim(), 500);
        return $"The Jetstream server rejected the WebSocket upgrade with HTTP {(int)status} {status}: {text}";
    }
}
