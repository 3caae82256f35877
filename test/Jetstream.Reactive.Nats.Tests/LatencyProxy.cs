using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>
/// A loopback TCP proxy in front of nats-server whose client-to-server direction can be made slow: once
/// <see cref="Latency"/> is set, each chunk a client writes reaches the server that much later, and when the client closes
/// its connection, what is still on the way is dropped. That is a host whose process ends (and its connection with it)
/// while writes it made are not yet at the server: a stop that returns before its naks arrived loses them every time,
/// not once in many runs on a loaded machine.
/// </summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private long _latencyTicks;

    public LatencyProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"nats://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>How long a client's write takes to reach the server from now on (zero at first).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _upstreamPort), _stop.Token);
            _ = PumpAsync(server, client);
            _ = ForwardSlowlyAsync(client, server);
        }
    }

    /// <summary>Client to server: each chunk waits for its due time; the client's close drops what is not due yet.</summary>
    private async Task ForwardSlowlyAsync(Socket client, Socket server)
    {
        var queue = Channel.CreateUnbounded<(long Due, byte[] Data)>();
        var sending = SendAsync(queue.Reader, server);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    break;
                }

                queue.Writer.TryWrite((Environment.TickCount64 + (long)Latency.TotalMilliseconds, buffer[..n]));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        // Closed: the server side goes at once, with what was still on the way.
        server.Dispose();
        queue.Writer.TryComplete();
        client.Dispose();
        await sending;
    }

    private async Task SendAsync(ChannelReader<(long Due, byte[] Data)> queue, Socket server)
    {
        try
        {
            await foreach (var (due, data) in queue.ReadAllAsync(_stop.Token))
            {
                var wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    // Simulated network latency (the slow link this proxy exists for), not a wait for a test to pass.
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), _stop.Token);
                }

                await server.SendAsync(data, SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        to.Dispose();
    }
}
