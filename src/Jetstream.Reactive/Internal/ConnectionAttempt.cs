using System.Buffers;
using System.Diagnostics;
using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Security.Authentication;
using System.Text;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Transport;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// One connection attempt: connect, send the hello if needed, then read messages until the connection ends. The reader
/// only decodes and hands events to the observer (a queue that never blocks), so the socket is read continuously and
/// the server's pings are answered whatever the subscriber does. Every way out ends in exactly one <c>OnError</c>
/// (retried or not by the caller) unless the attempt was disposed.
/// </summary>
internal sealed class ConnectionAttempt : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;
    private const int DiscardBufferSize = 16 * 1024;
    private const int LogPrefixBytes = 64;
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    private static readonly Dictionary<string, string> Headers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["User-Agent"] = $"Jetstream.Reactive/{typeof(ConnectionAttempt).Assembly.GetName().Version?.ToString(3) ?? "0"}",
    };

    private static readonly KeyValuePair<string, object?> DuplicateTag = new(JetstreamMetrics.ReasonTag, "duplicate");
    private static readonly KeyValuePair<string, object?> UnknownKindTag = new(JetstreamMetrics.ReasonTag, "unknown_kind");
    private static readonly KeyValuePair<string, object?> UnknownTypeTag = new(JetstreamMetrics.ReasonTag, "unknown_type");
    private static readonly KeyValuePair<string, object?> OverflowTag = new(JetstreamMetrics.ReasonTag, "overflow");

    private readonly JetstreamSession _session;
    private readonly IObserver<JetstreamEvent> _observer;
    private readonly int _number;
    private readonly IScheduler _scheduler;
    private TimeSpan _idleTimeout;
    private readonly CancellationTokenSource _cts = new();
    private readonly SerialDisposable _idleTimer = new();
    private readonly Action _touch;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private long _lastActivityTicks;
    private long _now;
    private JetstreamSession.ReplayFloor? _floor;
    private long _replaySkipped;

    // Whether an event past the floor arrived on this connection: only before that can a seq below it mean a reset (after
    // it, the server's seqs only rise, and a lower one is a stale duplicate).
    private bool _pastFloor;
    private long _duplicatesSkipped;
    private ZstdFrameDecoder? _zstd;
    private WebSocket? _openSocket;
    private long _appliedFilterVersion;
    private volatile bool _restartForFilter;
    private bool _paused;
    private int _endpointIndex;
    private long? _gapCursor;
    private SubscribeRequest? _request;
    private volatile bool _idleExpired;
    private volatile bool _disposed;

    public ConnectionAttempt(JetstreamSession session, IObserver<JetstreamEvent> observer, int number)
    {
        _session = session;
        _observer = observer;
        _number = number;
        _scheduler = session.Options.Scheduler;
        // The handshake is always bounded; whether silence on the open socket is a failure is decided once connected.
        _idleTimeout = session.Options.IdleTimeout is { } idle && idle != Timeout.InfiniteTimeSpan ? idle : JetstreamOptions.DefaultIdleTimeout;
        _touch = () => Touch();
    }

    public void Start() => _ = AttemptGuard.RunAsync(RunAsync, _observer, () => _disposed);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _idleTimer.Dispose();
        _cts.Cancel();
    }

    /// <summary>
    /// The session's filter changed. v1: send the latest filter in an <c>options_update</c> now if the socket is open
    /// (otherwise it is sent, or carried by the URL, when the connection is made). v2: end this connection so that the
    /// next one carries the new parameters, at most once per <see cref="FilterRestartGate.Interval"/>.
    /// </summary>
    public void FilterChanged()
    {
        if (_disposed)
        {
            return;
        }

        if (_session.Options.Protocol == JetstreamProtocol.V2)
        {
            FilterRestartGate.Of(_session).Request(() =>
            {
                _restartForFilter = true;
                _cts.Cancel();
            });
            return;
        }

        _ = SendLatestFilterAsync();
    }

    private async Task SendLatestFilterAsync()
    {
        if (Volatile.Read(ref _openSocket) is not { } socket)
        {
            return;
        }

        var token = _cts.Token;
        try
        {
            await _sendGate.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            // Each send carries the latest filter, so updates that arrive while one is being sent collapse into one.
            var (collections, dids, version) = _session.LatestFilter();
            if (version <= _appliedFilterVersion)
            {
                return;
            }

            var message = SubscribeRequest.BuildOptionsUpdate(collections, dids, _session.Options.ServerMaxMessageSize);
            await socket.SendAsync(message, WebSocketMessageType.Text, true, token).ConfigureAwait(false);
            _appliedFilterVersion = version;
            _session.Logger.FilterUpdateSent(collections.Count, dids.Count, message.Length);
        }
#pragma warning disable CA1031 // A failed send means a failed socket: the reader sees it and the reconnect carries the filter.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async Task RunAsync()
    {
        var options = _session.Options;
        var (request, filterVersion, endpoint) = _session.AttemptStarted(this);
        _appliedFilterVersion = filterVersion;
        _endpointIndex = endpoint;
        var metrics = _session.Metrics;
        var logger = _session.Logger;
        long? cursor = null;
        var v2 = request.Protocol == JetstreamProtocol.V2;
        WebSocket? socket = null;
        var buffer = new MessageBuffer(options.MaxMessageSize);
        Exception? failure = null;
        var token = _cts.Token;

        try
        {
            // After an overflow pause, connect only once the subscriber has caught up (no idle timer while waiting).
            await _session.WaitForDrainAsync(token).ConfigureAwait(false);
            Touch();
            ScheduleIdleCheck(_idleTimeout);
            await _session.EnsureStoredCursorAsync(token).ConfigureAwait(false);
            cursor = _session.ResumeCursor;
            _floor = _session.Floor;
            _request = request;
            _gapCursor = cursor;
            uint? dictionary = null;
            if (_session.Compression is { } compression)
            {
                // Fetching the dictionary is part of the attempt: the idle timeout and dispose cancel it too.
                dictionary = (await compression.PrepareAsync(request, token).ConfigureAwait(false))?.Id;
                Touch();
            }

            logger.Connecting(request.DisplayEndpoint, _number, cursor, request.Collections.Count, request.Dids.Count, request.RequireHello);
            var connect = new JetstreamConnectRequest(request.BuildUri(cursor, dictionary), request.SubProtocols, Headers)
            {
                KeepAliveInterval = options.KeepAliveInterval,
                KeepAliveTimeout = options.KeepAliveTimeout,
            };
            socket = await options.Transport.ConnectAsync(connect, token).ConfigureAwait(false);
            Touch();
            logger.Connected(request.DisplayEndpoint, cursor);
            if (SilenceTimeout(options, request) == Timeout.InfiniteTimeSpan)
            {
                // A filtered stream may be silent for hours, and its resume may sit behind a silent replay scan: only
                // the transport's keep-alive (a peer that stops answering pings) ends it.
                _idleTimeout = Timeout.InfiniteTimeSpan;
                _idleTimer.Disposable = Disposable.Empty;
            }
            _session.Compression?.Accepted();

            if (request.Hello is { } hello)
            {
                await socket.SendAsync(hello, WebSocketMessageType.Text, true, token).ConfigureAwait(false);
                logger.HelloSent(request.Collections.Count, request.Dids.Count, hello.Length);
            }

            if (!v2)
            {
                // From here on filter updates are sent on this socket; one that arrived while connecting goes now.
                Volatile.Write(ref _openSocket, socket);
                await SendLatestFilterAsync().ConfigureAwait(false);
            }

            while (true)
            {
                var frame = await buffer.ReceiveAsync(socket, _touch, token).ConfigureAwait(false);
                // The fragment callback touched the clock on the message's last receive; read that, not the clock again.
                _now = Volatile.Read(ref _lastActivityTicks);
                if (frame.Type == WebSocketMessageType.Close)
                {
                    failure = new JetstreamConnectionClosedException(socket.CloseStatus, socket.CloseStatusDescription);
                    await ReplyToCloseAsync(socket, token).ConfigureAwait(false);
                    break;
                }

                metrics.BytesReceived.Add(frame.TotalBytes);
                if (frame.TooLarge)
                {
                    Malformed(MalformedFrameReason.TooLarge, $"limit {options.MaxMessageSize}", frame.TotalBytes, default);
                    continue;
                }

                var bytes = buffer.Span(frame.Length);
                if (frame.Type == WebSocketMessageType.Binary)
                {
                    // Binary means zstd, whether or not it was asked for: the server decides the framing.
                    _zstd ??= NewZstdDecoder();
                    if (_zstd.TryDecode(bytes, out var json, out var zstdDetail) is { } zstdFailure)
                    {
                        Malformed(zstdFailure, zstdDetail, frame.TotalBytes, bytes, binary: true);
                        continue;
                    }

                    metrics.BytesDecompressed.Add(json.Length);
                    bytes = json;
                }

                if (!v2)
                {
                    Handle(JetstreamEventDecoder.Decode(bytes), frame.TotalBytes, bytes, unknownIsType: false);
                    if (_paused)
                    {
                        failure = new OverflowPauseException();
                        break;
                    }

                    continue;
                }

                var decoded = JetstreamEventDecoder.DecodeV2(bytes);
                if (decoded.Kind == V2FrameKind.Info)
                {
                    // A notice such as OutdatedCursor: worth a Warning, but it has no seq and moves no cursor.
                    metrics.InfosReceived.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.InfoNameTag, JetstreamMetrics.InfoNameTagValue(decoded.Name!)));
                    ServerTextLog.ServerInfo(logger, _scheduler, request.DisplayEndpoint, decoded.Name, decoded.Message);
                }
                else if (decoded.Kind == V2FrameKind.Error)
                {
                    // The server closes right after an error frame; reconnecting from the cursor is the documented answer.
                    failure = new JetstreamServerErrorException(decoded.Name!, decoded.Message);
                    break;
                }
                else
                {
                    Handle(decoded.Result, frame.TotalBytes, bytes, unknownIsType: true);
                    if (_paused)
                    {
                        failure = new OverflowPauseException();
                        break;
                    }
                }
            }
        }
#pragma warning disable CA1031 // Every failure of the attempt is classified and reported through OnError.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = _restartForFilter ? new FilterChangedException() : Classify(ex);
        }
        finally
        {
            _session.AttemptEnded(this);
            Volatile.Write(ref _openSocket, null);
            _idleTimer.Dispose();
            socket?.Dispose();
            buffer.Dispose();
            _zstd?.Dispose();
        }

        if (_replaySkipped > 0 && _floor is { } unfinished)
        {
            logger.ReplaySkipped(_replaySkipped, unfinished.Cursor);
        }

        if (_duplicatesSkipped > 0)
        {
            logger.DuplicatesSkipped(_duplicatesSkipped);
        }

        if (_disposed)
        {
            return;
        }

        if (_idleExpired)
        {
            logger.IdleTimeout(request.DisplayEndpoint, _idleTimeout.TotalSeconds);
            failure = new JetstreamIdleTimeoutException(_idleTimeout);
        }

        _observer.OnError(failure ?? new JetstreamConnectionClosedException(null, null));
    }

    /// <summary>
    /// Data-silence timeout of an open connection: <see cref="JetstreamOptions.IdleTimeout"/> when set; automatic (null)
    /// means <see cref="JetstreamOptions.DefaultIdleTimeout"/> on an unfiltered stream and none on a filtered one, as long
    /// as the keep-alive is on: with it turned off, nothing else would ever notice a dead peer, so the silence rule stays.
    /// </summary>
    internal static TimeSpan SilenceTimeout(JetstreamOptions options, SubscribeRequest request) =>
        options.IdleTimeout ?? ((request.Collections.Count > 0 || request.Dids.Count > 0 || options.Kinds.Count > 0)
            && options.KeepAliveInterval != Timeout.InfiniteTimeSpan && options.KeepAliveTimeout != Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : JetstreamOptions.DefaultIdleTimeout);

    private ZstdFrameDecoder NewZstdDecoder()
    {
        var (id, dictionary) = _session.Request.Protocol == JetstreamProtocol.V2
            ? _session.Compression?.Decoding ?? (JetstreamZstdDictionaries.BundledV2Id, JetstreamZstdDictionaries.BundledV2)
            : (JetstreamZstdDictionaries.V1Id, JetstreamZstdDictionaries.V1);
        return new ZstdFrameDecoder(id, dictionary, _session.Options.MaxMessageSize);
    }

    /// <summary>Delivers a decoded event (after the replay floor), or counts a skipped or malformed frame.</summary>
    private void Handle(JetstreamDecodeResult result, long length, ReadOnlySpan<byte> bytes, bool unknownIsType)
    {
        var metrics = _session.Metrics;
        if (result.Event is { } e)
        {
            metrics.EventsReceived.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.KindTag, JetstreamMetrics.KindTagValue(e.Kind)));

            // A cursor that cannot be right (a hostile or buggy server) is never trusted: the event is passed on, but
            // it neither ends the replay floor, nor seeds the gap check, nor becomes the resume or saved cursor.
            var problem = _session.CursorProblem(e, _now / TicksPerMicrosecond);
            if (problem is not null)
            {
                _session.CursorImplausible(problem);
                e.CursorUntrusted = true;
            }
            else
            {
                _session.CursorPlausible();
                if (_gapCursor is { } gapCursor)
                {
                    _gapCursor = null;
                    _session.CheckGap(gapCursor, e, _request!);
                }

                if (_floor is { } f)
                {
                    if (!_pastFloor && f.IsReset(e))
                    {
                        // Never skip on a floor the host no longer knows: report, rebase on its numbers, deliver.
                        _floor = null;
                        _session.SequenceReset(f.Cursor, e, _request!);
                    }
                    else if (f.Covers(e))
                    {
                        // The server replays inclusively from the cursor: skip what was queued before the reconnect.
                        // On v1, only until the first event past it; after that, an older time_us is a reorder, not a replay.
                        _replaySkipped++;
                        metrics.EventsSkipped.Add(1, DuplicateTag);
                        return;
                    }
                    else
                    {
                        _pastFloor = true;
                        if (!f.Persistent)
                        {
                            _floor = null;
                            if (_replaySkipped > 0)
                            {
                                _session.Logger.ReplaySkipped(_replaySkipped, f.Cursor);
                                _replaySkipped = 0;
                            }
                        }
                    }
                }
            }

            // After a move to another host the resume is rewound: what was queued before comes again, by identity.
            if (_session.Recent is { } recent && recent.Contains(e))
            {
                _duplicatesSkipped++;
                metrics.EventsSkipped.Add(1, DuplicateTag);
                return;
            }

            if (_session.Options.RetainRawJson && !unknownIsType)
            {
                // v1 only (unknownIsType is false exactly for v1 frames): the bytes are the event itself, not an envelope.
                e.RawJson = bytes.ToArray();
            }

            if (_session.MustPauseBefore(EventSize.Of(e)))
            {
                // The buffer is full and the policy is to lose nothing: stop here, without taking this event (nor
                // remembering it as queued); the reconnect replays it from the cursor of the last event queued.
                metrics.EventsSkipped.Add(1, OverflowTag);
                _paused = true;
                _session.Paused();
                return;
            }

            // Remembered as queued only now that it is passed on, right below.
            _session.Recent?.TryAdd(e);
            if (metrics.Lag.Enabled && problem is null)
            {
                metrics.Lag.Record(((_now / (TimeSpan.TicksPerMillisecond / 1000)) - (double)e.TimeUs) / 1e6);
            }

            e.EndpointIndex = _endpointIndex;
            if (problem is null)
            {
                _session.Advance(e);
            }

            _observer.OnNext(e);
        }
        else if (result.UnknownKind is { } kind)
        {
            if (unknownIsType)
            {
                metrics.EventsSkipped.Add(1, UnknownTypeTag);
                ServerTextLog.Unknown(_session.Logger, _scheduler, kind, isType: true);
            }
            else
            {
                metrics.EventsSkipped.Add(1, UnknownKindTag);
                ServerTextLog.Unknown(_session.Logger, _scheduler, kind, isType: false);
            }
        }
        else
        {
            Malformed(result.MalformedReason!.Value, result.Detail, length, bytes);
        }
    }

    private Exception Classify(Exception ex) => ex switch
    {
        JetstreamException je => je,
        WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely } wse => new JetstreamConnectionClosedException(null, null, wse),
        WebSocketException or HttpRequestException or IOException or SocketException or AuthenticationException or OperationCanceledException
            => new JetstreamConnectionException($"The connection to {_session.Request.DisplayEndpoint} failed: {ex.Message}", ex),
        _ => ex,
    };

    private static async Task ReplyToCloseAsync(WebSocket socket, CancellationToken token)
    {
        if (socket.State != WebSocketState.CloseReceived)
        {
            return;
        }

        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Answering the server's close is a courtesy; the connection is over either way.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Malformed(MalformedFrameReason reason, string? detail, long length, ReadOnlySpan<byte> bytes, bool binary = false)
    {
        _session.Metrics.MalformedFrames.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.ReasonTag, JetstreamMetrics.ReasonTagValue(reason)));
        if (_session.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            _session.Logger.MalformedFrame(reason, detail, length, binary ? HexPrefix(bytes) : Prefix(bytes));
        }
    }

    private static string HexPrefix(ReadOnlySpan<byte> bytes) =>
        Convert.ToHexString(bytes[..Math.Min(bytes.Length, LogPrefixBytes / 2)]) + (bytes.Length > LogPrefixBytes / 2 ? "…" : "");

    private static string Prefix(ReadOnlySpan<byte> bytes)
    {
        var cut = bytes[..Math.Min(bytes.Length, LogPrefixBytes)];
        var text = Encoding.UTF8.GetString(cut);
        var sb = new StringBuilder(text.Length + 1);
        foreach (var c in text)
        {
            sb.Append(char.IsControl(c) ? '\uFFFD' : c);
        }

        return bytes.Length > LogPrefixBytes ? sb.Append('…').ToString() : sb.ToString();
    }

    /// <summary>Marks activity now; returns the scheduler's time in ticks (UTC).</summary>
    private long Touch()
    {
        var now = _scheduler.Now.UtcTicks;
        Volatile.Write(ref _lastActivityTicks, now - DateTimeOffset.UnixEpoch.UtcTicks);
        return now - DateTimeOffset.UnixEpoch.UtcTicks;
    }

    private void ScheduleIdleCheck(TimeSpan due)
    {
        if (_idleTimeout == Timeout.InfiniteTimeSpan || _disposed)
        {
            return;
        }

        _idleTimer.Disposable = _scheduler.Schedule(this, due, static (_, self) =>
        {
            self.CheckIdle();
            return Disposable.Empty;
        });
    }

    private void CheckIdle()
    {
        if (_disposed || _idleTimeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        var idle = (_scheduler.Now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) - Volatile.Read(ref _lastActivityTicks);
        if (idle >= _idleTimeout.Ticks)
        {
            _idleExpired = true;
            _cts.Cancel();
            return;
        }

        ScheduleIdleCheck(TimeSpan.FromTicks(_idleTimeout.Ticks - idle));
    }

    /// <summary>
    /// Assembles one message from its fragments into a pooled buffer that grows up to the size limit. The bytes of a
    /// message over the limit are read and thrown away, so the connection stays usable.
    /// </summary>
    private sealed class MessageBuffer : IDisposable
    {
        private readonly int _max;
        private byte[] _buffer;
        private byte[]? _discard;

        public MessageBuffer(int max)
        {
            _max = max;
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, max));
        }

        public ReadOnlySpan<byte> Span(int length) => _buffer.AsSpan(0, length);

        /// <param name="socket">The socket to read.</param>
        /// <param name="onFragment">Called after each fragment: a large message arriving slowly is still activity.</param>
        /// <param name="token">Cancels the read.</param>
        public async ValueTask<Frame> ReceiveAsync(WebSocket socket, Action onFragment, CancellationToken token)
        {
            var length = 0;
            long total = 0;
            var tooLarge = false;
            while (true)
            {
                Memory<byte> target;
                if (tooLarge || length == _max)
                {
                    // At the limit: read into scratch space; any byte that arrives there makes the message too large.
                    _discard ??= ArrayPool<byte>.Shared.Rent(DiscardBufferSize);
                    target = _discard;
                }
                else
                {
                    if (length == _buffer.Length)
                    {
                        Grow(length);
                    }

                    target = _buffer.AsMemory(length, Math.Min(_buffer.Length, _max) - length);
                }

                var result = await socket.ReceiveAsync(target, token).ConfigureAwait(false);
                onFragment();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return new Frame(WebSocketMessageType.Close, 0, total, false);
                }

                total += result.Count;
                if (tooLarge || length == _max)
                {
                    tooLarge |= result.Count > 0;
                }
                else
                {
                    length += result.Count;
                }

                if (result.EndOfMessage)
                {
                    return new Frame(result.MessageType, tooLarge ? 0 : length, total, tooLarge);
                }
            }
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            if (_discard is not null)
            {
                ArrayPool<byte>.Shared.Return(_discard);
            }
        }

        private void Grow(int length)
        {
            var size = (int)Math.Min((long)_buffer.Length * 2, _max);
            var bigger = ArrayPool<byte>.Shared.Rent(size);
            _buffer.AsSpan(0, length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
            Debug.Assert(_buffer.Length > length, "the buffer grows while below the limit");
        }
    }

    private readonly record struct Frame(WebSocketMessageType Type, int Length, long TotalBytes, bool TooLarge);
}
