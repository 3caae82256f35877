using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>
/// A WebSocket client written against the bytes (RFC 6455 §5.2), for frames a real client refuses to hand over, such as a
/// text frame that is not UTF-8. It reads frames exactly as sent: FIN, opcode and payload.
/// </summary>
internal sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawWebSocket> ConnectAsync(Uri server, string pathAndQuery, CancellationToken token)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, token).AsTask().WaitAsync(WireClient.Deadline, token);
        var client = new RawWebSocket(tcp);
        var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request), token);

        // Read the response head one byte at a time so no frame byte is consumed with it.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await client._stream.ReadExactlyAsync(one, token).AsTask().WaitAsync(WireClient.Deadline, token);
            head.Append((char)one[0]);
        }

        Assert.That(head.ToString(), Does.StartWith("HTTP/1.1 101"));
        return client;
    }

    /// <summary>The next frame, or <see langword="null"/> when the TCP connection ends (cleanly or by reset) between frames.</summary>
    public async Task<RawFrame?> ReadFrameAsync(CancellationToken token)
    {
        var header = new byte[2];
        try
        {
            var read = await _stream.ReadAtLeastAsync(header, 2, throwOnEndOfStream: false, token).AsTask().WaitAsync(WireClient.Deadline, token);
            if (read < 2)
            {
                return null;
            }
        }
        catch (IOException)
        {
            return null;
        }

        var fin = (header[0] & 0x80) != 0;
        var opcode = header[0] & 0x0F;
        Assert.That(header[1] & 0x80, Is.Zero, "a server never masks");
        long length = header[1] & 0x7F;
        if (length == 126)
        {
            var extended = new byte[2];
            await _stream.ReadExactlyAsync(extended, token);
            length = BinaryPrimitives.ReadUInt16BigEndian(extended);
        }
        else if (length == 127)
        {
            var extended = new byte[8];
            await _stream.ReadExactlyAsync(extended, token);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
        }

        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, token).AsTask().WaitAsync(WireClient.Deadline, token);
        return new RawFrame(fin, opcode, payload);
    }

    /// <summary>The next frame that is not a ping or pong.</summary>
    public async Task<RawFrame?> ReadDataFrameAsync(CancellationToken token)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(token);
            if (frame is not { Opcode: 0x9 or 0xA })
            {
                return frame;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
