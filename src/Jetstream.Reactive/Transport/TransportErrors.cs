using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;

namespace Jetstream.Reactive.Transport;

/// <summary>How the socket's failures and closes become the stream's errors.</summary>
internal static class TransportErrors
{
    /// <summary>What a failed attempt's exception means: a <see cref="JetstreamException"/> as is, a network failure as a retryable connection error, anything else (a bug) as is.</summary>
    public static Exception Classify(Exception ex, string endpoint) => ex switch
    {
        JetstreamException je => je,
        WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely } wse => new JetstreamConnectionClosedException(null, null, wse),
        WebSocketException or HttpRequestException or IOException or SocketException or AuthenticationException or OperationCanceledException
            => new JetstreamConnectionException($"The connection to {endpoint} failed: {ex.Message}", ex),
        _ => ex,
    };

    /// <summary>Answers the server's close frame, as the WebSocket protocol asks; a failure there changes nothing.</summary>
    public static async Task ReplyToCloseAsync(WebSocket socket, CancellationToken token)
    {
        if (socket.State != WebSocketState.CloseReceived)
        {
            return;
        }

        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Answering the server's close is a courtesy; the connection is over either way.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
