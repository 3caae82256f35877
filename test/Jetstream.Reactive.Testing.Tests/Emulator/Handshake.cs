using System.Net;
using System.Net.WebSockets;
using Jetstream.Reactive.Transport;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>Upgrade requests whose answer is not 101: through the library's transport (status and body) or plain HTTP (headers too).</summary>
internal static class Handshake
{
    private static readonly ClientWebSocketTransport Transport = new(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>Connects with the library's transport and returns the rejection it reports; fails if the upgrade succeeds.</summary>
    public static async Task<JetstreamHandshakeException> RejectedAsync(Uri server, string pathAndQuery, CancellationToken token, IReadOnlyDictionary<string, string>? headers = null, IReadOnlyList<string>? subProtocols = null)
    {
        var request = new JetstreamConnectRequest(new Uri(server, pathAndQuery), subProtocols ?? [], headers ?? new Dictionary<string, string>());
        try
        {
            using var socket = await Transport.ConnectAsync(request, token).WaitAsync(WireClient.Deadline, token);
            socket.Abort();
        }
        catch (JetstreamHandshakeException e)
        {
            return e;
        }

        Assert.Fail($"the upgrade of {pathAndQuery} was accepted");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Connects with the library's transport, which checks the accept key and the chosen subprotocol.</summary>
    public static Task<WebSocket> AcceptedAsync(Uri server, string pathAndQuery, CancellationToken token, IReadOnlyList<string>? subProtocols = null, IReadOnlyDictionary<string, string>? headers = null) =>
        Transport.ConnectAsync(new JetstreamConnectRequest(new Uri(server, pathAndQuery), subProtocols ?? [], headers ?? new Dictionary<string, string>()), token).WaitAsync(WireClient.Deadline, token);

    /// <summary>An upgrade request over plain HTTP, for the response's content type.</summary>
    public static async Task<HttpResponseMessage> SendUpgradeAsync(HttpClient http, Uri server, string pathAndQuery, CancellationToken token)
    {
        var builder = new UriBuilder(new Uri(server, pathAndQuery)) { Scheme = "http" };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        return await http.SendAsync(request, token).WaitAsync(WireClient.Deadline, token);
    }
}
