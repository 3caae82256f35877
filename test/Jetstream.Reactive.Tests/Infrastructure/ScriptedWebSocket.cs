using System.Net.WebSockets;
using System.Text;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>
/// A WebSocket whose incoming messages a test pushes (usually from an action scheduled on a TestScheduler). A pending
/// receive completes inline when the test pushes, so the client's reader runs on the test's thread, in virtual time.
/// </summary>
internal sealed class ScriptedWebSocket : WebSocket
{
    private readonly Queue<Incoming> _incoming = new();
    private readonly List<(WebSocketMessageType Type, byte[] Bytes)> _sent = [];
    private TaskCompletionSource? _waiter;
    private WebSocketState _state = WebSocketState.Open;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;

    public ScriptedWebSocket(Uri uri) => Uri = uri;

    public Uri Uri { get; }

    public bool IsDisposed { get; private set; }

    public bool ReceivePending => _waiter is not null;

    public int SentCount => _sent.Count;

    public IReadOnlyList<string> SentText => _sent.Where(s => s.Type == WebSocketMessageType.Text).Select(s => Encoding.UTF8.GetString(s.Bytes)).ToList();

    public override WebSocketCloseStatus? CloseStatus => _closeStatus;

    public override string? CloseStatusDescription => _closeDescription;

    public override WebSocketState State => _state;

    public override string? SubProtocol => null;

    public void SendText(string text) => Push(new Incoming(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, null));

    public void SendBytes(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Text) => Push(new Incoming(bytes, type, true, null));

    /// <summary>
    /// Pushes whole messages at once: the reader finds them all waiting and reads them without pausing (one wake), as it
    /// does a busy real socket, so what it allocates per message is the client's own cost, not this socket's.
    /// </summary>
    public void SendAll(IEnumerable<byte[]> messages, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        foreach (var message in messages)
        {
            _incoming.Enqueue(new Incoming(message, type, true, null));
        }

        Wake();
    }

    /// <summary>Pushes one message split into the given fragments.</summary>
    public void SendFragments(WebSocketMessageType type, params byte[][] fragments)
    {
        for (var i = 0; i < fragments.Length; i++)
        {
            _incoming.Enqueue(new Incoming(fragments[i], type, i == fragments.Length - 1, null));
        }

        Wake();
    }

    /// <summary>The server sends a close frame.</summary>
    public void Close(WebSocketCloseStatus status, string description = "") =>
        Push(new Incoming([], WebSocketMessageType.Close, true, null) { CloseStatus = status, CloseDescription = description });

    /// <summary>The next receive throws <paramref name="error"/>: a custom socket failing in its own way.</summary>
    public void Fail(Exception error) => Push(new Incoming([], WebSocketMessageType.Text, true, error));

    /// <summary>The TCP connection ends without a close frame (what a client sees as 1006).</summary>
    public void Drop() =>
        Push(new Incoming([], WebSocketMessageType.Close, true, new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The remote party closed the WebSocket connection without completing the close handshake.")));

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (_incoming.Count == 0)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            _waiter = new TaskCompletionSource();
            using (cancellationToken.Register(static w => ((TaskCompletionSource)w!).TrySetCanceled(), _waiter))
            {
                try
                {
                    await _waiter.Task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _state = WebSocketState.Aborted;
                    throw;
                }
                finally
                {
                    _waiter = null;
                }
            }
        }

        var head = _incoming.Peek();
        if (head.Fault is { } fault)
        {
            _incoming.Dequeue();
            _state = WebSocketState.Aborted;
            throw fault;
        }

        if (head.Type == WebSocketMessageType.Close)
        {
            _incoming.Dequeue();
            _closeStatus = head.CloseStatus;
            _closeDescription = head.CloseDescription;
            _state = WebSocketState.CloseReceived;
            return new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, true);
        }

        var count = Math.Min(buffer.Length, head.Bytes.Length - head.Offset);
        head.Bytes.AsSpan(head.Offset, count).CopyTo(buffer.Span);
        head.Offset += count;
        var endOfFragment = head.Offset == head.Bytes.Length;
        if (endOfFragment)
        {
            _incoming.Dequeue();
        }

        return new ValueWebSocketReceiveResult(count, head.Type, endOfFragment && head.EndOfMessage);
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var r = await ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        return new WebSocketReceiveResult(r.Count, r.MessageType, r.EndOfMessage, _closeStatus, _closeDescription);
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        _sent.Add((messageType, buffer.ToArray()));
        return Task.CompletedTask;
    }

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        _state = _state == WebSocketState.CloseReceived ? WebSocketState.Closed : WebSocketState.CloseSent;
        return Task.CompletedTask;
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        _state = WebSocketState.Closed;
        return Task.CompletedTask;
    }

    public override void Abort() => _state = WebSocketState.Aborted;

    public override void Dispose()
    {
        IsDisposed = true;
        if (_state is not WebSocketState.Closed and not WebSocketState.Aborted)
        {
            _state = WebSocketState.Closed;
        }

        _waiter?.TrySetCanceled();
    }

    private void Push(Incoming incoming)
    {
        _incoming.Enqueue(incoming);
        Wake();
    }

    private void Wake() => _waiter?.TrySetResult();

    private sealed class Incoming(byte[] bytes, WebSocketMessageType type, bool endOfMessage, Exception? fault)
    {
        public byte[] Bytes { get; } = bytes;

        public WebSocketMessageType Type { get; } = type;

        public bool EndOfMessage { get; } = endOfMessage;

        public Exception? Fault { get; } = fault;

        public int Offset { get; set; }

        public WebSocketCloseStatus? CloseStatus { get; init; }

        public string? CloseDescription { get; init; }
    }
}
