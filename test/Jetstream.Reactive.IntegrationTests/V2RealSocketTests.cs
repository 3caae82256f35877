using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.IntegrationTests.RawServer;
using Jetstream.Reactive.Tests.Infrastructure;
using Jetstream.Reactive.Transport;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests;

/// <summary>
/// Protocol v2 and zstd over real sockets: the default transport's dictionary download, the subprotocol handshake,
/// compressed envelopes, JSON handshake errors and error frames. Each test is bounded by a deadline.
/// </summary>
[CancelAfter(60_000)]
public sealed class V2RealSocketTests
{
    private const string DictionaryPath = "/xrpc/network.bsky.jetstream.getZstdDictionary";
    private const string SubscribePath = "/xrpc/network.bsky.jetstream.subscribeEvents";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static JetstreamOptions Options(Uri endpoint) => new()
    {
        Endpoint = endpoint,
        Protocol = JetstreamProtocol.V2,
        Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
        IdleTimeout = TimeSpan.FromSeconds(20),
    };

    [Test]
    public async Task Connect_V2Zstd_DownloadsTheDictionaryAndDecodesCompressedEnvelopes(CancellationToken token)
    {
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            if (c.Path == DictionaryPath)
            {
                await c.RespondAsync(200, "OK", "application/octet-stream", JetstreamZstdDictionaries.BundledV2.ToArray(), ct);
                return;
            }

            await c.AcceptAsync(ct, subProtocol: "xrpc.v1.json");
            await c.SendBinaryAsync(Zstd.V2(V2Frames.Info()), ct);
            for (var seq = 1; seq <= 100; seq++)
            {
                await c.SendBinaryAsync(Zstd.V2(V2Frames.Commit(seq, "rk" + seq)), ct);
            }

            await c.WaitForClientGoneAsync(ct);
        });

        var events = await JetstreamObservable.Connect(Options(server.Uri) with { Compression = JetstreamCompression.Zstd })
            .Take(100).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(1, 100).Select(i => (long)i)));
        var connections = server.Connections.ToList();
        Assert.That(connections.Select(c => c.Path), Is.EqualTo(new[] { DictionaryPath, SubscribePath }));
        Assert.That(connections[1].Query["zstdDictionary"], Is.EqualTo("20260811"));
        Assert.That(connections[1].Headers["Sec-WebSocket-Protocol"], Is.EqualTo("xrpc.v1.json"));
    }

    [Test]
    public async Task GetZstdDictionaryAsync_NotFound_ThrowsWithStatusAndBody(CancellationToken token)
    {
        await using var server = new ScriptedServer((c, ct) =>
            c.RespondAsync(404, "Not Found", "application/json", Encoding.UTF8.GetBytes(V2Frames.XrpcError("DictionaryNotFound", "current is 20260811")), ct));
        using var transport = new ClientWebSocketTransport();
        var uri = new Uri(new Uri("http://" + server.Uri.Authority), DictionaryPath + "?id=5");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => transport.GetZstdDictionaryAsync(uri, token));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(error.Message, Does.Contain("DictionaryNotFound"));
        Assert.That(server.Connections.Single().Query["id"], Is.EqualTo("5"));
    }

    [Test]
    public async Task GetZstdDictionaryAsync_BodyLargerThanADictionary_IsRefused(CancellationToken token)
    {
        await using var server = new ScriptedServer((c, ct) =>
            c.RespondAsync(200, "OK", "application/octet-stream", new byte[JetstreamZstdDictionaries.MaxSize + 1], ct));
        using var transport = new ClientWebSocketTransport();

        await Assert.ThrowsAsync<InvalidDataException>(() => transport.GetZstdDictionaryAsync(new Uri("http://" + server.Uri.Authority + DictionaryPath), token));
    }

    [Test]
    public async Task Connect_V2HandshakeJsonError_EndsWithTheXrpcErrorName(CancellationToken token)
    {
        await using var server = new ScriptedServer((c, ct) =>
            c.RespondAsync(400, "Bad Request", "application/json", Encoding.UTF8.GetBytes(V2Frames.XrpcError("InvalidRequest", "wantedDids is a v1 parameter; use dids")), ct));

        var error = await JetstreamObservable.Connect(Options(server.Uri)).Materialize().Where(n => n.Exception is not null).Select(n => n.Exception!).FirstAsync().ToTask(token).WaitAsync(Deadline, token);

        var handshake = error as JetstreamHandshakeException;
        Assert.That(handshake, Is.Not.Null);
        Assert.That(handshake!.Error, Is.EqualTo("InvalidRequest"));
        Assert.That(handshake.ErrorMessage, Is.EqualTo("wantedDids is a v1 parameter; use dids"));
        Assert.That(server.Connections, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Connect_V2ErrorFrame_ReconnectsFromTheLastSeqWithoutDuplicates(CancellationToken token)
    {
        var connection = 0;
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            var socket = await c.AcceptAsync(ct, subProtocol: "xrpc.v1.json");
            if (Interlocked.Increment(ref connection) == 1)
            {
                for (var seq = 1; seq <= 3; seq++)
                {
                    await c.SendTextAsync(V2Frames.Commit(seq), ct);
                }

                // The server closes right after an error frame; a close frame keeps the frames before it readable.
                await c.SendTextAsync(V2Frames.Error("ConsumerTooSlow", "reconnect with cursor=3"), ct);
                await socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, ct);
                await c.WaitForClientGoneAsync(ct);
                return;
            }

            // The inclusive replay from the cursor, then new events.
            for (var seq = c.Cursor!.Value; seq <= 5; seq++)
            {
                await c.SendTextAsync(V2Frames.Commit(seq), ct);
            }

            await c.WaitForClientGoneAsync(ct);
        });

        var events = await JetstreamObservable.Connect(Options(server.Uri)).Take(5).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(events.Select(e => e.Cursor), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
        Assert.That(server.Connections.Select(c => c.Cursor), Is.EqualTo(new long?[] { null, 3 }));
    }
}
