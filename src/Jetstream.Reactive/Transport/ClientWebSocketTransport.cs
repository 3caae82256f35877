using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Jetstream.Reactive.Compression;

namespace Jetstream.Reactive.Transport;

/// <summary>
/// The default transport: an RFC 6455 upgrade over <see cref="HttpMessageInvoker"/> (so that a rejected upgrade's status
/// and body reach <see cref="JetstreamHandshakeException"/>, which <c>ClientWebSocket</c> does not expose), then
/// <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/> with keep-alive pings that detect a dead peer.
/// It also downloads v2 zstd dictionaries over the same HTTP stack (<see cref="IJetstreamDictionarySource"/>).
/// </summary>
public sealed class ClientWebSocketTransport : IJetstreamTransport, IJetstreamDictionarySource, IDisposable
{
    private const int MaxErrorBody = 4096;
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static readonly string UserAgent = $"Jetstream.Reactive/{typeof(ClientWebSocketTransport).Assembly.GetName().Version?.ToString(3) ?? "0"}";
    private readonly HttpMessageInvoker _invoker;
    private readonly bool _ownsInvoker;
    private readonly TimeSpan _keepAliveInterval;
    private readonly TimeSpan _keepAliveTimeout;

    /// <summary>Creates a transport.</summary>
    /// <param name="keepAliveInterval">How often to ping the server when the request does not say (<see cref="JetstreamConnectRequest.KeepAliveInterval"/>). Default 20 s.</param>
    /// <param name="keepAliveTimeout">How long to wait for the pong before the connection is aborted, when the request does not say. Default 10 s; <see cref="Timeout.InfiniteTimeSpan"/> to only send unsolicited pongs.</param>
    /// <param name="invoker">The HTTP stack for the upgrade; default a dedicated <see cref="SocketsHttpHandler"/>. The caller keeps ownership of one passed in.</param>
    public ClientWebSocketTransport(TimeSpan? keepAliveInterval = null, TimeSpan? keepAliveTimeout = null, HttpMessageInvoker? invoker = null)
    {
        _keepAliveInterval = keepAliveInterval ?? TimeSpan.FromSeconds(20);
        _keepAliveTimeout = keepAliveTimeout ?? TimeSpan.FromSeconds(10);
        _ownsInvoker = invoker is null;
        _invoker = invoker ?? new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.Zero,
        });
    }

    /// <summary>The shared default instance (20 s pings, 10 s pong timeout).</summary>
    public static ClientWebSocketTransport Default { get; } = new();

    /// <inheritdoc />
    public async Task<WebSocket> ConnectAsync(JetstreamConnectRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var builder = new UriBuilder(request.Uri) { Scheme = request.Uri.Scheme == "wss" ? "https" : "http" };
        using var message = new HttpRequestMessage(HttpMethod.Get, builder.Uri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        message.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        message.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        message.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        message.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", key);
        if (request.SubProtocols.Count > 0)
        {
            message.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", string.Join(", ", request.SubProtocols));
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _invoker.SendAsync(message, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
            {
                var body = await ReadErrorBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
                throw new JetstreamHandshakeException(response.StatusCode, body);
            }

#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for Sec-WebSocket-Accept; it is a handshake check, not security.
            var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
#pragma warning restore CA5350
            if (!HeaderEquals(response.Headers, "Sec-WebSocket-Accept", expected))
            {
                throw new JetstreamConnectionException("The server's WebSocket upgrade had a wrong or missing Sec-WebSocket-Accept header.", null);
            }

            string? subProtocol = null;
            if (response.Headers.TryGetValues("Sec-WebSocket-Protocol", out var chosen))
            {
                subProtocol = string.Join(",", chosen).Trim();
                if (subProtocol.Length == 0)
                {
                    subProtocol = null;
                }
                else if (!request.SubProtocols.Contains(subProtocol, StringComparer.Ordinal))
                {
                    // RFC 6455 §4.1: a subprotocol the client did not offer fails the connection.
                    throw new JetstreamConnectionException($"The server chose the WebSocket subprotocol '{subProtocol}', which was not offered.", null);
                }
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
            {
                IsServer = false,
                SubProtocol = subProtocol,
                // The runtime pings and aborts the socket when a pong is late: dead-peer detection that does not
                // depend on data flowing, so a quiet filtered stream is never mistaken for a dead one.
                KeepAliveInterval = (request.KeepAliveInterval ?? _keepAliveInterval) is var interval && interval == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : interval,
                KeepAliveTimeout = request.KeepAliveTimeout ?? _keepAliveTimeout,
            });
            response = null; // the socket owns the connection now
            return socket;
        }
        finally
        {
            response?.Dispose();
        }
    }

    /// <inheritdoc />
    public async Task<byte[]> GetZstdDictionaryAsync(Uri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        using var message = new HttpRequestMessage(HttpMethod.Get, uri);
        message.Headers.TryAddWithoutValidation("Accept", "application/octet-stream");
        message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        using var response = await _invoker.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await ReadErrorBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"GET {uri} answered HTTP {(int)response.StatusCode} {response.StatusCode}: {(string.IsNullOrWhiteSpace(body) ? "(no body)" : body.Trim())}", null, response.StatusCode);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // One byte past the limit tells a body at the limit from a larger one without reading the rest.
            var buffer = new byte[JetstreamZstdDictionaries.MaxSize + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            if (total > JetstreamZstdDictionaries.MaxSize)
            {
                throw new InvalidDataException($"GET {uri} returned more than {JetstreamZstdDictionaries.MaxSize} bytes; that is not a Jetstream dictionary.");
            }

            return buffer.AsSpan(0, total).ToArray();
        }
    }

    /// <summary>Releases the HTTP stack this transport created.</summary>
    public void Dispose()
    {
        if (_ownsInvoker)
        {
            _invoker.Dispose();
        }
    }

    private static bool HeaderEquals(HttpResponseHeaders headers, string name, string expected) =>
        headers.TryGetValues(name, out var values) && values.Any(v => string.Equals(v.Trim(), expected, StringComparison.Ordinal));

    private static async Task<string> ReadErrorBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxErrorBody];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, total);
        }
    }
}
