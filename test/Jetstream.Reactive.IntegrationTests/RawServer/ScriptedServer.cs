using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests.RawServer;

/// <summary>
/// A minimal raw WebSocket server on 127.0.0.1, port 0, for the tests that need a server to misbehave in ways the
/// emulator (<c>JetstreamTestServer</c>) does not: exact frames, a wrong <c>Sec-WebSocket-Accept</c>, a redirect, a peer
/// that never answers pings. It parses the upgrade request, then hands each connection to the test's script.
/// A script that throws while the test runs is a test failure: <see cref="DisposeAsync"/> rethrows what the scripts
/// threw (a broken script used to be swallowed and show up only as a timeout). Only what the server's own teardown
/// causes is ignored; a script that expects the client to leave mid-send catches that itself.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _cts = new();
    private readonly Func<ServerConnection, CancellationToken, Task> _script;
    private readonly ConcurrentBag<Task> _handlers = [];
    private readonly Task _acceptLoop;

    private readonly ConcurrentQueue<Exception> _failures = new();

    public ScriptedServer(Func<ServerConnection, CancellationToken, Task> script)
    {
        _script = script;
        _listener.Start();
        Uri = new Uri($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri Uri { get; }

    public ConcurrentQueue<ServerConnection> Connections { get; } = new();

    /// <summary>What the scripts threw so far (outside the server's teardown).</summary>
    public IReadOnlyCollection<Exception> Failures => _failures;

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Stop();
        foreach (var c in Connections)
        {
            c.Abort();
        }

        try
        {
            await Task.WhenAll(_handlers.Append(_acceptLoop)).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception) when (_cts.IsCancellationRequested)
        {
            // Handlers end with cancellation or socket errors once everything is torn down.
        }

        _cts.Dispose();
        if (!_failures.IsEmpty)
        {
            throw new AssertionException(
                $"The server's script failed {_failures.Count} time(s):{Environment.NewLine}{string.Join(Environment.NewLine, _failures)}");
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_cts.Token);
            }
            catch (Exception) when (_cts.IsCancellationRequested)
            {
                return;
            }

            _handlers.Add(HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream, _cts.Token);
                if (head is null)
                {
                    return;
                }

                var connection = new ServerConnection(client, stream, head.Value.Target, head.Value.Headers);
                Connections.Enqueue(connection);
                await _script(connection, _cts.Token);
            }
            catch (Exception) when (_cts.IsCancellationRequested)
            {
                // The server is being disposed: the end of the test, not a failure of the script.
            }
            catch (Exception e)
            {
                _failures.Enqueue(e);
            }
        }
    }

    private static async Task<(string Target, Dictionary<string, string> Headers)?> ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        var buffer = new List<byte>(1024);
        var one = new byte[1];
        while (buffer.Count < 1024 * 1024)
        {
            if (await stream.ReadAsync(one, token) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^1] == '\n' && buffer[^2] == '\r' && buffer[^3] == '\n' && buffer[^4] == '\r')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString(buffer.ToArray()).Split("\r\n");
        var target = lines[0].Split(' ')[1];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal)))
        {
            var i = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..i].Trim()] = line[(i + 1)..].Trim();
        }

        return (target, headers);
    }

    internal sealed class ServerConnection
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;

        public ServerConnection(TcpClient client, NetworkStream stream, string target, Dictionary<string, string> headers)
        {
            _client = client;
            _stream = stream;
            Path = target.Split('?')[0];
            Query = HttpUtility.ParseQueryString(target.Contains('?', StringComparison.Ordinal) ? target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..] : "");
            Headers = headers;
        }

        public string Path { get; }

        public NameValueCollection Query { get; }

        public Dictionary<string, string> Headers { get; }

        public WebSocket? Socket { get; private set; }

        public long? Cursor => Query["cursor"] is { } c ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) : null;

        public async Task<WebSocket> AcceptAsync(CancellationToken token, string? subProtocol = null)
        {
            var accept = ExpectedAccept();
            var protocol = subProtocol is null ? "" : $"Sec-WebSocket-Protocol: {subProtocol}\r\n";
            var response = $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n{protocol}Sec-WebSocket-Accept: {accept}\r\n\r\n";
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(response), token);
            Socket = WebSocket.CreateFromStream(_stream, new WebSocketCreationOptions { IsServer = true, SubProtocol = subProtocol, KeepAliveInterval = Timeout.InfiniteTimeSpan });
            return Socket;
        }

        /// <summary>Answers a plain HTTP request (no upgrade) and ends the connection.</summary>
        public async Task RespondAsync(int status, string reason, string contentType, byte[] body, CancellationToken token)
        {
            var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(head), token);
            await _stream.WriteAsync(body, token);
            await _stream.FlushAsync(token);
        }

        public Task SendBinaryAsync(byte[] bytes, CancellationToken token) =>
            Socket!.SendAsync(bytes, WebSocketMessageType.Binary, true, token);

        public async Task RejectAsync(int status, string reason, string body, CancellationToken token)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var response = $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(response), token);
            await _stream.WriteAsync(bytes, token);
            await _stream.FlushAsync(token);
        }

        public Task SendTextAsync(string text, CancellationToken token) =>
            Socket!.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, token);

        /// <summary>Writes <paramref name="head"/> (an HTTP response head, CRLF line ends, blank line included) as it is.</summary>
        public async Task WriteRawAsync(string head, CancellationToken token)
        {
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(head), token);
            await _stream.FlushAsync(token);
        }

        /// <summary>The accept key RFC 6455 derives from the request's <c>Sec-WebSocket-Key</c>.</summary>
        public string ExpectedAccept()
        {
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for the accept key.
            return Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(Headers["Sec-WebSocket-Key"] + AcceptGuid)));
#pragma warning restore CA5350
        }

        /// <summary>
        /// Reads and discards the raw bytes until the client ends the TCP connection, bounded by <paramref name="token"/>:
        /// a peer that never answers a ping (the WebSocket layer, which would send the pong, never sees it).
        /// </summary>
        public async Task IgnoreUntilClientGoneAsync(CancellationToken token)
        {
            var buffer = new byte[4096];
            try
            {
                while (await _stream.ReadAsync(buffer, token) > 0)
                {
                }
            }
            catch (IOException)
            {
                // A reset: the client aborted.
            }
        }

        /// <summary>Ends the TCP connection without a close frame: the client sees 1006.</summary>
        public void Abort()
        {
            try
            {
                _client.Client.LingerState = new LingerOption(true, 0);
                _client.Client.Close();
            }
            catch (Exception e) when (e is ObjectDisposedException or NullReferenceException or SocketException)
            {
                // Already closed by the other side or by the handler.
            }
        }

        /// <summary>Waits until the client closes or drops the connection, bounded by <paramref name="token"/>.</summary>
        public async Task<WebSocketMessageType?> WaitForClientGoneAsync(CancellationToken token)
        {
            var buffer = new byte[1024];
            try
            {
                while (true)
                {
                    var r = await Socket!.ReceiveAsync(buffer, token);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        return r.MessageType;
                    }
                }
            }
            catch (WebSocketException)
            {
                return null;
            }
        }
    }
}
