using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>
/// A bare <see cref="ClientWebSocket"/> for pinning the emulator's wire behaviour: whole messages as bytes, close frames
/// as they come, and a receive that can stay pending across a quiet-window check and a send.
/// </summary>
internal sealed class WireClient : IAsyncDisposable
{
    /// <summary>The longest any single wait in these tests may take.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 4096 };
    private readonly CancellationTokenSource _life = new();
    private Task<WireMessage>? _pending;

    private WireClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static async Task<WireClient> ConnectAsync(Uri server, string pathAndQuery, CancellationToken token, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(socket.Options);
        await socket.ConnectAsync(new Uri(server, pathAndQuery), token).WaitAsync(Deadline, token);
        return new WireClient(socket);
    }

    /// <summary>Parses a frame's JSON, failing on duplicate keys (a server must never send them).</summary>
    public static JsonNode ParseStrict(ReadOnlySpan<byte> json)
    {
        using (JsonDocument.Parse(json.ToArray(), Strict))
        {
            // Parsing with AllowDuplicateProperties = false throws on a repeated key.
        }

        return JsonNode.Parse(json, documentOptions: Strict)!;
    }

    /// <summary>The next whole message: data, or the server's close frame.</summary>
    /// <exception cref="WebSocketException">The connection ended without a close frame.</exception>
    public async Task<WireMessage> ReceiveAsync(CancellationToken token)
    {
        var task = _pending ?? ReadAsync();
        _pending = task;
        var message = await task.WaitAsync(Deadline, token);
        _pending = null;
        return message;
    }

    public async Task<WireMessage> ReceiveDataAsync(CancellationToken token)
    {
        var message = await ReceiveAsync(token);
        Assert.That(message.Type, Is.Not.EqualTo(WebSocketMessageType.Close), () => $"the server closed: {message.CloseStatus} {message.CloseReason}");
        return message;
    }

    public async Task<List<WireMessage>> ReceiveDataAsync(int count, CancellationToken token)
    {
        var messages = new List<WireMessage>(count);
        while (messages.Count < count)
        {
            messages.Add(await ReceiveDataAsync(token));
        }

        return messages;
    }

    /// <summary>Data messages until the server's close frame, which is returned last.</summary>
    public async Task<(List<WireMessage> Data, WireMessage Close)> ReceiveUntilCloseAsync(CancellationToken token)
    {
        var data = new List<WireMessage>();
        while (true)
        {
            var message = await ReceiveAsync(token);
            if (message.Type == WebSocketMessageType.Close)
            {
                return (data, message);
            }

            data.Add(message);
        }
    }

    /// <summary>Data messages until the connection ends without a close frame; fails on a close frame.</summary>
    public async Task<(List<WireMessage> Data, WebSocketException Error)> ReceiveUntilDroppedAsync(CancellationToken token)
    {
        var data = new List<WireMessage>();
        while (true)
        {
            WireMessage message;
            try
            {
                message = await ReceiveAsync(token);
            }
            catch (WebSocketException e)
            {
                return (data, e);
            }

            Assert.That(message.Type, Is.Not.EqualTo(WebSocketMessageType.Close), () => $"expected a drop without a close frame, got close {message.CloseStatus} '{message.CloseReason}'");
            data.Add(message);
        }
    }

    /// <summary>Asserts that nothing arrives within <paramref name="window"/>; the receive stays pending for the next call.</summary>
    public async Task AssertQuietAsync(TimeSpan window, CancellationToken token)
    {
        _pending ??= ReadAsync();
        var finished = await Task.WhenAny(_pending, Task.Delay(window, token)) == _pending;
        Assert.That(finished, Is.False, () => $"expected nothing within {window.TotalMilliseconds} ms, got {Describe(_pending)}");
    }

    public Task SendTextAsync(string text, CancellationToken token) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, token).WaitAsync(Deadline, token);

    public async ValueTask DisposeAsync()
    {
        await _life.CancelAsync();
        Socket.Abort();
        if (_pending is not null)
        {
            try
            {
                await _pending;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        Socket.Dispose();
        _life.Dispose();
    }

    private static string Describe(Task<WireMessage> task) =>
        task.IsCompletedSuccessfully ? task.Result.ToString() : task.Exception?.GetBaseException().Message ?? "nothing";

    private async Task<WireMessage> ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.AsMemory(), _life.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new WireMessage(WebSocketMessageType.Close, [], Socket.CloseStatus, Socket.CloseStatusDescription);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return new WireMessage(result.MessageType, message.ToArray(), null, null);
            }
        }
    }
}
