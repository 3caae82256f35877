using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// A loopback WebSocket server whose cost per event is negligible, so that a run measures the client and not the
/// server: every frame of every wire form is framed (header + payload, unmasked) into large contiguous chunks before
/// any client connects, and each connection gets its own thread that writes those chunks with blocking
/// <see cref="Socket.Send(byte[])"/> calls of <see cref="ChunkBytes"/> each. No per-frame work happens while a client is
/// timed. The server counts the frames it wrote completely per connection and its own thread's CPU time while writing
/// (<see cref="ServedConnection"/>), so the harness can refuse a run where the server was not negligible and can
/// count what a client received without trusting the client.
/// </summary>
internal sealed class PreframedServer : IDisposable
{
    /// <summary>Bytes per <c>Send</c>: large enough that the per-call cost vanishes per event.</summary>
    public const int ChunkBytes = 1 << 20;

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static readonly byte[] CloseFrame = [0x88, 0x02, 0x03, 0xE8];
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Dictionary<WireForm, Framed> _framed = [];
    private readonly ConcurrentQueue<ServedConnection> _served = new();
    private readonly Thread _acceptThread;
    private int _nextId;
    private int _open;
    private volatile bool _stopping;

    public PreframedServer(Corpus corpus, bool withZstd = true, bool withV2 = true)
    {
        _framed[WireForm.V1Text] = Frame(corpus.Text, opcode: 0x1);
        if (withZstd)
        {
            _framed[WireForm.V1Zstd] = Frame(corpus.Zstd, opcode: 0x2);
        }

        if (withV2)
        {
            _framed[WireForm.V2Text] = Frame(corpus.V2, opcode: 0x1);
        }

        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Uri = new Uri($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}");
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "preframed-accept" };
        _acceptThread.Start();
    }

    public Uri Uri { get; }

    /// <summary>Connections accepted so far; a mark to take before a client run.</summary>
    public int Accepted => Volatile.Read(ref _nextId);

    /// <summary>Bytes on the wire per wire form (frame headers included).</summary>
    public long WireBytes(WireForm form) => _framed[form].Bytes;

    /// <summary>
    /// The connections with id ≥ <paramref name="mark"/>, once every one of them has finished (the client process has
    /// exited, so its sockets are closed and the server threads end at once); waits at most <paramref name="timeout"/>.
    /// </summary>
    public IReadOnlyList<ServedConnection> ServedSince(int mark, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Volatile.Read(ref _open) > 0 && clock.Elapsed < timeout)
        {
            Thread.Sleep(5);
        }

        return _served.Where(c => c.Id >= mark).OrderBy(c => c.Id).ToList();
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose();
        _acceptThread.Join(TimeSpan.FromSeconds(5));
    }

    private static Framed Frame(byte[][] payloads, byte opcode)
    {
        var chunks = new List<byte[]>();
        var framesPerChunk = new List<int>();
        var current = new MemoryStream(ChunkBytes + 16);
        var inChunk = 0;
        long total = 0;
        Span<byte> header = stackalloc byte[10];
        foreach (var payload in payloads)
        {
            header[0] = (byte)(0x80 | opcode);
            int headerLength;
            if (payload.Length < 126)
            {
                header[1] = (byte)payload.Length;
                headerLength = 2;
            }
            else if (payload.Length <= ushort.MaxValue)
            {
                header[1] = 126;
                header[2] = (byte)(payload.Length >> 8);
                header[3] = (byte)payload.Length;
                headerLength = 4;
            }
            else
            {
                header[1] = 127;
                for (var i = 0; i < 8; i++)
                {
                    header[2 + i] = (byte)((long)payload.Length >> (56 - (8 * i)));
                }

                headerLength = 10;
            }

            // A chunk ends on a frame boundary, so a completed Send is a whole number of frames.
            if (inChunk > 0 && current.Length + headerLength + payload.Length > ChunkBytes)
            {
                chunks.Add(current.ToArray());
                framesPerChunk.Add(inChunk);
                current.SetLength(0);
                inChunk = 0;
            }

            current.Write(header[..headerLength]);
            current.Write(payload);
            total += headerLength + payload.Length;
            inChunk++;
        }

        if (inChunk > 0)
        {
            chunks.Add(current.ToArray());
            framesPerChunk.Add(inChunk);
        }

        return new Framed(chunks.ToArray(), framesPerChunk.ToArray(), total);
    }

    private void AcceptLoop()
    {
        while (!_stopping)
        {
            Socket socket;
            try
            {
                socket = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var id = Interlocked.Increment(ref _nextId) - 1;
            Interlocked.Increment(ref _open);
            new Thread(() => Serve(socket, id)) { IsBackground = true, Name = "preframed-" + id }.Start();
        }
    }

    private void Serve(Socket socket, int id)
    {
        long frames = 0, bytes = 0;
        var cpu = TimeSpan.Zero;
        var write = TimeSpan.Zero;
        var form = WireForm.V1Text;
        try
        {
            using (socket)
            {
                socket.NoDelay = true;
                socket.SendBufferSize = 4 * ChunkBytes;
                socket.ReceiveTimeout = (int)TimeSpan.FromMinutes(6).TotalMilliseconds;
                var (path, key) = ReadRequest(socket);
                form = path.Contains("subscribeEvents", StringComparison.Ordinal) ? WireForm.V2Text
                    : path.Contains("compress=true", StringComparison.Ordinal) ? WireForm.V1Zstd
                    : WireForm.V1Text;
                if (!_framed.TryGetValue(form, out var framed))
                {
                    socket.Send(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                    return;
                }

                var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
                socket.Send(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));

                var cpu0 = ThreadCpu.Now();
                var clock = Stopwatch.StartNew();
                try
                {
                    for (var i = 0; i < framed.Chunks.Length; i++)
                    {
                        socket.Send(framed.Chunks[i]);
                        frames += framed.FramesPerChunk[i];
                        bytes += framed.Chunks[i].Length;
                    }
                }
                finally
                {
                    cpu = ThreadCpu.Now() - cpu0;
                    write = clock.Elapsed;
                }

                // Everything is written: wait for the client to leave (close frame, or the socket closing) so that the
                // frames are not cut off, and answer a close frame with one.
                var buffer = new byte[4096];
                int n;
                while ((n = socket.Receive(buffer)) > 0)
                {
                    if ((buffer[0] & 0x0F) == 0x8)
                    {
                        socket.Send(CloseFrame);
                        socket.Shutdown(SocketShutdown.Send);
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The client left (a cold run that stops after N events, or the end of a pass); the frames written so far
            // are counted.
        }
        finally
        {
            _served.Enqueue(new ServedConnection(id, form, frames, bytes, cpu.TotalSeconds, write.TotalSeconds));
            Interlocked.Decrement(ref _open);
        }
    }

    private static (string Path, string Key) ReadRequest(Socket socket)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 64 * 1024 && socket.Receive(one) == 1)
        {
            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        var key = lines.FirstOrDefault(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))?["Sec-WebSocket-Key:".Length..].Trim()
            ?? throw new InvalidOperationException("not a WebSocket upgrade");
        return (lines[0].Split(' ')[1], key);
    }

    private sealed record Framed(byte[][] Chunks, int[] FramesPerChunk, long Bytes);
}
