using System.Net;
using System.Net.Sockets;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.IntegrationTests.RawServer;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests;

/// <summary>
/// How real socket failures are classified, each against its row of the table in docs/reconnection-and-cursors.md
/// ("What is retried, what ends the stream"): which exception, and whether it is retried. Every server is on
/// 127.0.0.1, port 0; every wait has a deadline.
/// </summary>
[CancelAfter(60_000)]
public sealed class RealSocketErrorClassificationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static JetstreamOptions Options(Uri endpoint, IObserver<JetstreamConnectionState> states) => new()
    {
        Endpoint = endpoint,
        ConnectionStates = states,
        Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
        IdleTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>
    /// Connects, and returns the first state that reports an error: <see cref="JetstreamConnectionStatus.Reconnecting"/>
    /// for a retried error, <see cref="JetstreamConnectionStatus.Stopped"/> for one that ends the stream.
    /// </summary>
    private static async Task<JetstreamConnectionState> FirstErrorAsync(Uri endpoint, CancellationToken token, Func<JetstreamOptions, JetstreamOptions>? configure = null)
    {
        using var states = new ReplaySubject<JetstreamConnectionState>();
        var options = Options(endpoint, states);
        options = configure?.Invoke(options) ?? options;
        var failed = states.Where(s => s.Error is not null).FirstAsync().ToTask(token);
        using (JetstreamObservable.Connect(options).Subscribe(_ => { }, _ => { }))
        {
            return await failed.WaitAsync(Deadline, token);
        }
    }

    [Test]
    public async Task Connect_ConnectionRefused_RetriedAsAConnectionError(CancellationToken token)
    {
        // A port that was just free: nothing listens on it, so the connect is refused.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var state = await FirstErrorAsync(new Uri($"ws://127.0.0.1:{port}"), token);

        Assert.That(state.Status, Is.EqualTo(JetstreamConnectionStatus.Reconnecting));
        Assert.That(state.Error, Is.TypeOf<JetstreamConnectionException>());
        Assert.That(((JetstreamException)state.Error!).IsRetryable, Is.True);
    }

    [Test]
    public async Task Connect_WssToAPlainPort_TlsFailureRetriedAsAConnectionError(CancellationToken token)
    {
        // The emulator speaks plain HTTP: a TLS handshake against it fails.
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson([]) }, token);
        var wss = new UriBuilder(server.Uri) { Scheme = "wss" }.Uri;

        var state = await FirstErrorAsync(wss, token);

        Assert.That(state.Status, Is.EqualTo(JetstreamConnectionStatus.Reconnecting));
        Assert.That(state.Error, Is.TypeOf<JetstreamConnectionException>());
        Assert.That(((JetstreamException)state.Error!).IsRetryable, Is.True);
        Assert.That(server.Connections, Is.Empty, "no WebSocket upgrade reached the server");
    }

    [Test]
    public async Task Connect_WrongSecWebSocketAccept_RetriedAsAConnectionError(CancellationToken token)
    {
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            var wrong = Convert.ToBase64String(new byte[20]);
            Assert.That(wrong, Is.Not.EqualTo(c.ExpectedAccept()));
            await c.WriteRawAsync($"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {wrong}\r\n\r\n", ct);
            await c.IgnoreUntilClientGoneAsync(ct);
        });

        var state = await FirstErrorAsync(server.Uri, token);

        Assert.That(state.Status, Is.EqualTo(JetstreamConnectionStatus.Reconnecting));
        Assert.That(state.Error, Is.TypeOf<JetstreamConnectionException>());
        Assert.That(((JetstreamException)state.Error!).IsRetryable, Is.True);
    }

    [Test]
    public async Task Connect_PeerNeverAnswersPings_KeepAliveAbortsAndRetriesAsAConnectionError(CancellationToken token)
    {
        // The upgrade succeeds, then the server reads the raw bytes without answering anything: no pong, no data.
        // The idle timeout is off, so only the keep-alive can end the connection.
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            await c.WriteRawAsync($"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {c.ExpectedAccept()}\r\n\r\n", ct);
            await c.IgnoreUntilClientGoneAsync(ct);
        });

        var state = await FirstErrorAsync(server.Uri, token, o => o with
        {
            IdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAliveInterval = TimeSpan.FromMilliseconds(200),
            KeepAliveTimeout = TimeSpan.FromMilliseconds(200),
        });

        Assert.That(state.Status, Is.EqualTo(JetstreamConnectionStatus.Reconnecting));
        Assert.That(state.Error, Is.TypeOf<JetstreamConnectionException>());
        Assert.That(((JetstreamException)state.Error!).IsRetryable, Is.True);
    }

    [Test]
    public async Task Connect_Redirect_NotFollowedAndEndsWithTheStatus(CancellationToken token)
    {
        await using var target = new ScriptedServer((c, ct) => c.RejectAsync(500, "Internal Server Error", "never asked", ct));
        await using var server = new ScriptedServer((c, ct) =>
            c.WriteRawAsync($"HTTP/1.1 301 Moved Permanently\r\nLocation: {target.Uri}subscribe\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct));

        var state = await FirstErrorAsync(server.Uri, token);

        Assert.That(state.Status, Is.EqualTo(JetstreamConnectionStatus.Stopped));
        var handshake = state.Error as JetstreamHandshakeException;
        Assert.That(handshake, Is.Not.Null, $"{state.Error}");
        Assert.That(handshake!.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently));
        Assert.That(handshake.IsRetryable, Is.False);
        Assert.That(server.Connections, Has.Count.EqualTo(1), "not retried");
        Assert.That(target.Connections, Is.Empty, "the redirect was not followed");
    }
}
