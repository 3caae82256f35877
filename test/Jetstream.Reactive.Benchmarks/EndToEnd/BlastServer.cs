using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// A loopback WebSocket server that sends the whole pre-encoded corpus to every connection as fast as the socket
/// drains (text frames, or zstd frames when the query asks <c>compress=true</c>), then waits for the client to leave.
/// Writes are coalesced so that the server, not the client, is never the bottleneck of a run.
/// </summary>
internal sealed class BlastServer : IAsyncDisposable
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _cts = new();
    private readonly Corpus _corpus;
    private readonly Task _accept;

    public BlastServer(Corpus corpus)
    {
        _corpus = corpus;
        _listener.Start();
        Uri = new Uri($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accept = AcceptAsync();
    }

    public Uri Uri { get; }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (OperationCanceledException)
        {
        }

        _cts.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_cts.Token);
            }
            catch (Exception) when (_cts.IsCancellationRequested)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        using (socket)
        {
            var network = new NetworkStream(socket, ownsSocket: false);
            var (path, key) = await ReadRequestAsync(network);
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
            await network.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
            var stream = new CoalescingStream(network);
            using var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
            var zstd = path.Contains("compress=true", StringComparison.Ordinal);
            var frames = zstd ? _corpus.Zstd : _corpus.Text;
            var type = zstd ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
            try
            {
                foreach (var frame in frames)
                {
                    await ws.SendAsync(frame, type, true, _cts.Token);
                }

                await stream.FlushAsync(_cts.Token);
                stream.Immediate = true;

                // Wait for the client to close (or go away) so the frames are not cut off.
                var buffer = new byte[256];
                while (ws.State == WebSocketState.Open)
                {
                    var r = await ws.ReceiveAsync(buffer, _cts.Token);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                // The client left early (a failed run) or the harness is stopping.
            }
        }
    }

    private static async Task<(string Path, string Key)> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 64 * 1024 && await stream.ReadAsync(one) == 1)
        {
            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        var key = lines.First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))["Sec-WebSocket-Key:".Length..].Trim();
        return (lines[0].Split(' ')[1], key);
    }

    /// <summary>Buffers writes (the WebSocket writes one small frame at a time) and passes reads straight through.</summary>
    private sealed class CoalescingStream(NetworkStream inner) : Stream
    {
        private readonly byte[] _buffer = new byte[256 * 1024];
        private int _used;

        /// <summary>Write through at once (after the blast: control frames such as pongs must not wait).</summary>
        public bool Immediate { get; set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            if (_used + source.Length > _buffer.Length)
            {
                await FlushAsync(cancellationToken);
            }

            if (source.Length > _buffer.Length)
            {
                await inner.WriteAsync(source, cancellationToken);
                return;
            }

            source.CopyTo(_buffer.AsMemory(_used));
            _used += source.Length;
            if (Immediate)
            {
                await FlushAsync(cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_used > 0)
            {
                await inner.WriteAsync(_buffer.AsMemory(0, _used), cancellationToken);
                _used = 0;
            }
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
