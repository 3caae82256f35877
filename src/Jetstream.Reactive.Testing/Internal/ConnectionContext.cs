using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Jetstream.Reactive.Testing.Internal;

/// <summary>
/// One accepted connection: a pump reads the log from the start position through the filter into a bounded outbox; a
/// writer sends the outbox (compressing each frame as it sends it) and applies the connection's fault script; a
/// receiver reads what the client sends (<c>options_update</c> on v1, anything on v2 is a policy violation). Whichever
/// ends first ends the connection.
/// </summary>
/// <remarks>
/// Socket calls take only the abort token (the request aborted, the server stopping): cancelling a pending WebSocket call
/// aborts the connection with a TCP reset that discards every frame not yet flushed, even the 101 response. Every other
/// ending returns with the receive still pending; disposing the socket then flushes what was sent and closes TCP.
/// </remarks>
internal sealed class ConnectionContext
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly JetstreamTestServer _server;
    private readonly HttpContext _http;
    private readonly WebSocket _socket;
    private readonly DarkableStream _stream;
    private readonly ConnectionScript? _script;
    private readonly TaskCompletionSource _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource _cts;
    private readonly Random _random;
    private volatile EventFilter _filter;
    private volatile int _maxMessageSize;
    private volatile bool _live;
    private volatile bool _stalled;

    public ConnectionContext(JetstreamTestServer server, HttpContext http, WebSocket socket, DarkableStream stream, EmulatorConnection record, ConnectionStart start, ConnectionScript? script)
    {
        _stream = stream;
        _server = server;
        _http = http;
        _socket = socket;
        _script = script;
        Record = record;
        IsV2 = start.IsV2;
        Compressed = start.Compressed;
        DictionaryId = start.DictionaryId;
        Dictionary = start.Dictionary;
        _filter = start.Filter;
        _maxMessageSize = start.MaxMessageSize;
        Position = start.Position;
        RequireHello = start.RequireHello;
        Info = start.Info;
        _live = start.AtTail;
        _random = new Random(server.Options.Seed + record.Number);
        _abort = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, server.Stopping);
        _cts = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
    }

    public EmulatorConnection Record { get; }

    public bool IsV2 { get; }

    public bool Compressed { get; }

    public uint? DictionaryId { get; }

    public ReadOnlyMemory<byte> Dictionary { get; }

    public bool RequireHello { get; }

    /// <summary>A v2 <c>#info</c> frame to send before anything else (an old timestamp cursor was clamped).</summary>
    public string? Info { get; }

    public long Position { get; private set; }

    private ServerFlavor Flavor => _server.Options.Flavor;

    public byte[] CompressFrame(ReadOnlySpan<byte> json) =>
        ZstdFrames.Compress(json, DictionaryId ?? 0, Dictionary);

    public async Task RunAsync()
    {
        var outbox = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(Math.Max(1, _server.Options.SlowSubscriberOutbox))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        if (!RequireHello)
        {
            _hello.TrySetResult();
        }

        var token = _cts.Token;
        var receive = ReceiveAsync(_abort.Token);
        var pump = PumpAsync(outbox.Writer, token);
        var write = WriteAsync(outbox.Reader, token);
        try
        {
            await Task.WhenAny(receive, pump, write).ConfigureAwait(false);
        }
        finally
        {
            // Stop the pump and the writer between frames; a send under way finishes, or the grace period aborts it.
            await _cts.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(pump, write).WaitAsync(ShutdownGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await _abort.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ChannelClosedException or ObjectDisposedException)
            {
            }

            // Left pending while the client is there: disposing the socket ends it without a reset.
            foreach (var task in new[] { receive, pump, write })
            {
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            Record.End(_server.Stopping.IsCancellationRequested ? "server stopped" : "ended");
            if (_stream.IsDark)
            {
                // A dark peer keeps TCP open (returning would close it) until the client gives up or the server stops.
                try
                {
                    await _stream.Gone.WaitAsync(_server.Stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                await _stream.CloseAsync().ConfigureAwait(false);
            }

            _cts.Dispose();
            _abort.Dispose();
        }
    }

    private async Task PumpAsync(ChannelWriter<Outgoing> outbox, CancellationToken token)
    {
        await _hello.Task.WaitAsync(token).ConfigureAwait(false);
        if (Info is not null)
        {
            await outbox.WriteAsync(Outgoing.Control(Encoding.UTF8.GetBytes(Info)), token).ConfigureAwait(false);
        }

        var log = _server.Log;
        var time = _server.Options.TimeProvider;
        var scanRate = _server.Options.ReplayScanRate;
        var scanStarted = time.GetTimestamp();
        long scanned = 0;
        while (!token.IsCancellationRequested)
        {
            if (!log.TryGet(Position, out var e))
            {
                var floor = log.FloorSeq;
                if (Position < floor)
                {
                    // Trimmed under a slow reader: the real servers skip ahead too.
                    Position = floor;
                    continue;
                }

                _live = true;
                await log.WaitForAsync(Position, token).ConfigureAwait(false);
                continue;
            }

            Position++;
            if (!_filter.Matches(e))
            {
                if (!_live && scanRate is { } rate)
                {
                    // A replay scan costs time even for events the filter skips: a sparse resume is silent meanwhile.
                    var ahead = TimeSpan.FromSeconds(++scanned / rate) - time.GetElapsedTime(scanStarted);
                    if (ahead > TimeSpan.FromMilliseconds(10))
                    {
                        await Task.Delay(ahead, time, token).ConfigureAwait(false);
                    }
                }

                continue;
            }

            var json = IsV2 ? e.V2 : Flavor == ServerFlavor.Current ? e.V1WithCursor : e.V1;
            var max = _maxMessageSize;
            if (max > 0 && (IsV2 || Flavor == ServerFlavor.Current) && json.Length > max)
            {
                continue;
            }

            var frame = Outgoing.Event(json, e.Seq);
            if (outbox.TryWrite(frame))
            {
                continue;
            }

            if (_live && !IsV2 && !_stalled)
            {
                // The legacy server's live path: a full outbox ends the TCP connection, no close frame. (Not when the
                // outbox is full because the server itself stalls.)
                Record.End($"slow subscriber: outbox of {_server.Options.SlowSubscriberOutbox} events full");
                _http.Abort();
                return;
            }

            await outbox.WriteAsync(frame, token).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(ChannelReader<Outgoing> outbox, CancellationToken token)
    {
        var steps = new Queue<FaultStep>(_script?.Steps ?? []);
        long sent = 0;
        if (await ApplyStepsAsync(steps, sent, token).ConfigureAwait(false))
        {
            return;
        }

        await foreach (var item in outbox.ReadAllAsync(token).ConfigureAwait(false))
        {
            // Compressed here, not when queued: a connection that ends early must not have compressed its whole outbox.
            var frame = Frame(item.Json);
            await SendAsync(frame).ConfigureAwait(false);
            if (item.Seq is not { } seq)
            {
                Record.RecordFrame(frame.Bytes.Length);
                continue;
            }

            Record.RecordEvent(seq, frame.Bytes.Length);
            sent++;
            if (await ApplyStepsAsync(steps, sent, token).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <returns>Whether the connection is over (or stalled for good).</returns>
    private async Task<bool> ApplyStepsAsync(Queue<FaultStep> steps, long sent, CancellationToken token)
    {
        while (steps.TryPeek(out var step) && step.AfterEvents <= sent)
        {
            steps.Dequeue();
            switch (step.Action)
            {
                case FaultAction.Inject:
                    var (bytes, type) = MalformedFrames.Build(step.Kind, this, _random, _script!.OversizedBytes);
                    await SendAsync(new WireFrame(bytes, type)).ConfigureAwait(false);
                    Record.RecordFrame(bytes.Length);
                    break;
                case FaultAction.Drop:
                    // Ending the connection without a close frame: what was sent is flushed, then TCP closes.
                    Record.End($"dropped by fault after {sent} events");
                    return true;
                case FaultAction.Stall:
                    // Keep the socket (the server still answers pings); the connection ends when the client leaves.
                    _stalled = true;
                    await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
                    return true;
                case FaultAction.GoDark:
                    // Nothing more is sent (no pings, no pongs) and nothing is read, but TCP stays open.
                    _stream.GoDark();
                    _stalled = true;
                    Record.End($"went dark after {sent} events");
                    await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
                    return true;
                case FaultAction.HostileCursor:
                    var hostile = HostileEvent(step.Value);
                    await SendAsync(Frame(hostile)).ConfigureAwait(false);
                    Record.RecordFrame(hostile.Length);
                    break;
                case FaultAction.ResetSequence:
                    _server.ResetSequence();
                    Record.End($"sequence reset after {sent} events");
                    return true;
                case FaultAction.Close:
                    await CloseAsync(step.Status, step.Text, $"closed by fault after {sent} events").ConfigureAwait(false);
                    return true;
                case FaultAction.ErrorFrame:
                    if (IsV2)
                    {
                        var error = Encoding.UTF8.GetBytes(new JsonObject { ["$type"] = "error", ["error"] = step.Text, ["message"] = step.Message }.ToJsonString());
                        await SendAsync(Frame(error)).ConfigureAwait(false);
                        Record.RecordFrame(error.Length);
                    }

                    await CloseAsync(WebSocketCloseStatus.InternalServerError, step.Text, $"error frame {step.Text} after {sent} events").ConfigureAwait(false);
                    return true;
            }
        }

        return false;
    }

    /// <summary>A well-formed commit whose cursor is <paramref name="value"/>: the v1 <c>time_us</c> (and newer server's <c>cursor</c>), or the v2 <c>seq</c>.</summary>
    private byte[] HostileEvent(long value)
    {
        var source = System.Text.Encoding.UTF8.GetBytes(TestEvents.Commit("app.bsky.feed.like", rkey: "3hostilecursor"));
        var now = (_server.Options.TimeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
        var e = EventStamper.Stamp(source, value, IsV2 ? now : value);
        return IsV2 ? e.V2 : Flavor == ServerFlavor.Current ? e.V1WithCursor : e.V1;
    }

    private async Task ReceiveAsync(CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (!token.IsCancellationRequested)
        {
            var result = await _socket.ReceiveAsync(buffer.AsMemory(), token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                Record.End("client closed");
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token).ConfigureAwait(false);
                }

                return;
            }

            if (IsV2)
            {
                // Server-push only: any data frame from the client is a policy violation.
                Record.RecordClientMessage(result.MessageType == WebSocketMessageType.Text ? "(text frame)" : "(binary frame)");
                await CloseAsync(WebSocketCloseStatus.PolicyViolation, "subscribeEvents does not accept client messages", "client sent a data frame").ConfigureAwait(false);
                return;
            }

            if (message.Length + result.Count > JetstreamTestServer.MaxClientMessageBytes)
            {
                if (Flavor == ServerFlavor.Current)
                {
                    await CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", "client message over 10 MB").ConfigureAwait(false);
                    return;
                }

                // Legacy ignores messages over its read limit: drop this one.
                message.SetLength(0);
                while (!result.EndOfMessage)
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(), token).ConfigureAwait(false);
                }

                continue;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var bytes = message.ToArray();
            message.SetLength(0);
            if (result.MessageType != WebSocketMessageType.Text)
            {
                continue; // binary frames from the client are ignored
            }

            var text = Encoding.UTF8.GetString(bytes);
            Record.RecordClientMessage(text);
            if (!await HandleClientMessageAsync(bytes).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <returns>Whether the connection goes on.</returns>
    private async Task<bool> HandleClientMessageAsync(byte[] bytes)
    {
        var legacy = Flavor == ServerFlavor.Legacy;
        SubscriberMessage parsed;
        try
        {
            parsed = SubscriberMessage.Parse(bytes);
        }
        catch (JsonException e)
        {
            return legacy
                ? await CloseAsync(WebSocketCloseStatus.NormalClosure, "failed to unmarshal subscriber sourced message: " + ShortJsonError(e), "bad envelope").ConfigureAwait(false)
                : await CloseAsync(WebSocketCloseStatus.InvalidPayloadData, "bad SubscriberSourcedMessage envelope", "bad envelope").ConfigureAwait(false);
        }

        if (parsed.Type != "options_update")
        {
            return true; // unknown types are logged and ignored by both servers
        }

        if (parsed.PayloadError is not null)
        {
            return legacy
                ? await CloseAsync(WebSocketCloseStatus.NormalClosure, "failed to unmarshal subscriber options update: " + parsed.PayloadError, "bad payload").ConfigureAwait(false)
                : await CloseAsync(WebSocketCloseStatus.InvalidPayloadData, "bad options_update payload", "bad payload").ConfigureAwait(false);
        }

        var problem = RequestRules.CheckV1Filters(parsed.Collections, parsed.Dids, Flavor);
        if (problem is not null)
        {
            return legacy
                ? await CloseAsync(WebSocketCloseStatus.NormalClosure, "failed to parse subscriber options: " + problem, "invalid options_update").ConfigureAwait(false)
                : await CloseAsync(WebSocketCloseStatus.PolicyViolation, problem, "invalid options_update").ConfigureAwait(false);
        }

        _filter = new EventFilter(null, parsed.Collections.Distinct(StringComparer.Ordinal), parsed.Dids.Distinct(StringComparer.Ordinal));
        if (parsed.MaxMessageSize is { } max)
        {
            _maxMessageSize = max;
        }

        _hello.TrySetResult();
        return true;
    }

    /// <returns>Always <see langword="false"/>: the connection is over.</returns>
    private async Task<bool> CloseAsync(WebSocketCloseStatus status, string reason, string endReason)
    {
        var bytes = Encoding.UTF8.GetBytes(reason);
        if (bytes.Length > 123 && Flavor == ServerFlavor.Legacy && !IsV2)
        {
            // gorilla cannot send a close reason over 123 bytes: the legacy server's close just ends the socket.
            Record.End(endReason + " (close reason over 123 bytes: dropped without a close frame)");
            return false;
        }

        Record.ServerCloseStatus = status;
        Record.End(endReason);
        if (bytes.Length > 123)
        {
            // RFC 6455 caps a close reason at 123 bytes; cut on a character boundary.
            var cut = 123;
            while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
            {
                cut--;
            }

            reason = Encoding.UTF8.GetString(bytes, 0, cut);
        }

        try
        {
            await _socket.CloseOutputAsync(status, reason, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
        }

        return false;
    }

    /// <summary>A parse error about as long as Go's (System.Text.Json's own messages would push most reasons past 123 bytes).</summary>
    private static string ShortJsonError(JsonException e) =>
        e.BytePositionInLine is { } position ? $"invalid JSON at byte {position}" : e.Message;

    private WireFrame Frame(byte[] json) =>
        Compressed ? new WireFrame(CompressFrame(json), WebSocketMessageType.Binary) : new WireFrame(json, WebSocketMessageType.Text);

    private Task SendAsync(WireFrame frame) =>
        _socket.SendAsync(frame.Bytes, frame.Type, true, _abort.Token);

    internal readonly record struct WireFrame(byte[] Bytes, WebSocketMessageType Type);

    /// <summary>An event or control frame waiting in the outbox, as JSON: the writer compresses it when it sends it.</summary>
    private readonly record struct Outgoing(byte[] Json, long? Seq)
    {
        public static Outgoing Event(byte[] json, long seq) => new(json, seq);

        public static Outgoing Control(byte[] json) => new(json, null);
    }
}
