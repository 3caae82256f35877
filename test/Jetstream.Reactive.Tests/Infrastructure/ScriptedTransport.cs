using System.Net.WebSockets;
using Jetstream.Reactive.Transport;
using Microsoft.Reactive.Testing;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>
/// A transport that records every connection attempt (virtual time and URL) and answers each with what the test's
/// script says: an open <see cref="ScriptedWebSocket"/> by default, or an exception, or a connect that never finishes.
/// </summary>
internal sealed class ScriptedTransport : IJetstreamTransport
{
    private readonly TestScheduler _scheduler;
    private static readonly Func<JetstreamConnectRequest, CancellationToken, Task<WebSocket>> OpenLaterMarker = (_, _) => throw new InvalidOperationException();
    private readonly Queue<Func<JetstreamConnectRequest, CancellationToken, Task<WebSocket>>> _script = new();
    private (TaskCompletionSource<WebSocket> Tcs, ScriptedWebSocket Socket)? _pending;

    public ScriptedTransport(TestScheduler scheduler) => _scheduler = scheduler;

    public List<Attempt> Attempts { get; } = [];

    public ScriptedWebSocket Socket(int index) => Attempts[index].Socket ?? throw new InvalidOperationException($"attempt {index} has no socket");

    public ScriptedWebSocket Last => Attempts.Last(a => a.Socket is not null).Socket!;

    /// <summary>The next attempt fails with <paramref name="error"/>.</summary>
    public ScriptedTransport ThenFail(Exception error)
    {
        _script.Enqueue((_, _) => Task.FromException<WebSocket>(error));
        return this;
    }

    /// <summary>The next attempt throws <paramref name="error"/> from ConnectAsync itself, before returning a task.</summary>
    public ScriptedTransport ThenThrow(Exception error)
    {
        _script.Enqueue((_, _) => throw error);
        return this;
    }

    /// <summary>The next attempt never completes (until cancelled).</summary>
    public ScriptedTransport ThenHang()
    {
        _script.Enqueue(static (_, token) =>
        {
            var tcs = new TaskCompletionSource<WebSocket>();
            token.Register(() => tcs.TrySetCanceled(token));
            return tcs.Task;
        });
        return this;
    }

    /// <summary>The next attempt's socket opens only when the test calls <see cref="OpenPending"/>.</summary>
    public ScriptedTransport ThenOpenLater()
    {
        _script.Enqueue(OpenLaterMarker);
        return this;
    }

    /// <summary>Completes the connect of the attempt <see cref="ThenOpenLater"/> held back.</summary>
    public void OpenPending()
    {
        var (tcs, socket) = _pending ?? throw new InvalidOperationException("no connect is pending");
        _pending = null;
        tcs.SetResult(socket);
    }

    /// <summary>The next attempt opens a socket (the default once the script is used up).</summary>
    public ScriptedTransport ThenOpen()
    {
        _script.Enqueue(null!);
        return this;
    }

    public Task<WebSocket> ConnectAsync(JetstreamConnectRequest request, CancellationToken cancellationToken)
    {
        var step = _script.Count > 0 ? _script.Dequeue() : null;
        if (step == OpenLaterMarker)
        {
            var later = new ScriptedWebSocket(request.Uri);
            Attempts.Add(new Attempt(_scheduler.Clock, request.Uri, later) { SubProtocols = request.SubProtocols, Request = request });
            var tcs = new TaskCompletionSource<WebSocket>();
            _pending = (tcs, later);
            return tcs.Task;
        }

        if (step is not null)
        {
            Attempts.Add(new Attempt(_scheduler.Clock, request.Uri, null) { SubProtocols = request.SubProtocols, Request = request });
            return step(request, cancellationToken);
        }

        var socket = new ScriptedWebSocket(request.Uri);
        Attempts.Add(new Attempt(_scheduler.Clock, request.Uri, socket) { SubProtocols = request.SubProtocols, Request = request });
        return Task.FromResult<WebSocket>(socket);
    }

    internal sealed record Attempt(long Time, Uri Uri, ScriptedWebSocket? Socket)
    {
        public IReadOnlyList<string> SubProtocols { get; init; } = [];

        public JetstreamConnectRequest? Request { get; init; }

        public string? Cursor => Query("cursor");

        public string? Query(string name) => System.Web.HttpUtility.ParseQueryString(Uri.Query)[name];
    }
}
