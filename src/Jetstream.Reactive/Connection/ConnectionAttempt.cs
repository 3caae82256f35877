using System.Buffers;
using System.Diagnostics;
using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Security.Authentication;
using System.Text;
using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Protocol;
using Jetstream.Reactive.Protocol.V2;
using Jetstream.Reactive.Resume;
using Jetstream.Reactive.Transport;

// Why this file is over 300 lines: the read loop is one async method whose socket, message assembler and zstd decoder
// share one lifetime, and Handle is its per-event step. Assembly, error mapping, the idle watchdog, the replay gate
// and log previews live in their stages; the v1 filter-update sender and the v1/v2 frame dispatch are the next
// candidates to move out.

namespace Jetstream.Reactive.Connection;

/// <summary>
/// One connection attempt: connect, send the hello if needed, then read messages until the connection ends. The reader
/// only decodes and hands events to the observer (a queue that never blocks), so the socket is read continuously and
/// the server's pings are answered whatever the subscriber does. Every way out ends in exactly one <c>OnError</c>
/// (retried or not by the caller) unless the attempt was disposed.
/// </summary>
internal sealed class ConnectionAttempt : IDisposable
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>The most messages read in one batch before the consumer is woken anyway (bounds the added delay on a socket that never makes the reader wait).</summary>
    private const int MaxBatchRun = 256;

    private static readonly Dictionary<string, string> Headers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["User-Agent"] = $"Jetstream.Reactive/{typeof(ConnectionAttempt).Assembly.GetName().Version?.ToString(3) ?? "0"}",
    };

    private static readonly KeyValuePair<string, object?> UnknownKindTag = new(JetstreamMetrics.ReasonTag, "unknown_kind");
    private static readonly KeyValuePair<string, object?> UnknownTypeTag = new(JetstreamMetrics.ReasonTag, "unknown_type");
    private static readonly KeyValuePair<string, object?> OverflowTag = new(JetstreamMetrics.ReasonTag, "overflow");

    private readonly ConnectionParts _parts;
    private readonly IObserver<JetstreamEvent> _observer;
    private readonly int _number;
    private readonly IScheduler _scheduler;
    private readonly CancellationTokenSource _filterRestart = new();
    private readonly CancellationTokenSource _cts;
    private readonly IdleWatchdog _idle;
    private readonly Action _touch;
    private readonly Action<FilterChange> _onFilterChanged;
    private FilterChange? _latestFilter;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private long _now;
    private ReplayGate? _replay;
    private ZstdFrameDecoder? _zstd;
    private WebSocket? _openSocket;
    private long _appliedFilterVersion;
    private bool _paused;

    // Whether this attempt has passed an event on: the retry resets its backoff at the first one, so the reader builds
    // at least that one even when the buffer is full (an unbuilt drop is not seen downstream).
    private bool _passedOn;
    private int _endpointIndex;
    private volatile bool _disposed;

    public ConnectionAttempt(ConnectionParts parts, IObserver<JetstreamEvent> observer, int number)
    {
        _parts = parts;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(_filterRestart.Token);
        _observer = observer;
        _number = number;
        _scheduler = parts.Options.Scheduler;
        // The handshake is always bounded; whether silence on the open socket is a failure is decided once connected.
        _idle = new IdleWatchdog(
            _scheduler,
            parts.Options.IdleTimeout is { } idle && idle != Timeout.InfiniteTimeSpan ? idle : JetstreamOptions.DefaultIdleTimeout,
            _cts.Cancel);
        var watchdog = _idle;
        _touch = () => watchdog.Touch(); // the watchdog's, not the attempt's: the assembler never reaches the attempt
        _onFilterChanged = FilterChanged;
    }

    public void Start() => _ = AttemptGuard.RunAsync(RunAsync, _observer, () => _disposed);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _idle.Dispose();
        _cts.Cancel();
    }

    /// <summary>
    /// The session's filter changed. v1: send the latest filter in an <c>options_update</c> now if the socket is open
    /// (otherwise it is sent, or carried by the URL, when the connection is made). v2: end this connection so that the
    /// next one carries the new parameters, at most once per <see cref="FilterRestartGate.Interval"/>.
    /// </summary>
    public void FilterChanged(FilterChange change)
    {
        if (_disposed)
        {
            return;
        }

        if (_parts.Options.Protocol == JetstreamProtocol.V2)
        {
            _parts.FilterRestarts.Request(_filterRestart);
            return;
        }

        // Kept for the send: each send carries the latest change, so changes that arrive during one collapse into one.
        Volatile.Write(ref _latestFilter, change);

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
            if (Volatile.Read(ref _latestFilter) is not { } latest)
            {
                return;
            }

            var (collections, dids, version) = latest;

            if (version <= _appliedFilterVersion)
            {
                return;
            }

            var message = SubscribeRequest.BuildOptionsUpdate(collections, dids, _parts.Options.ServerMaxMessageSize);
            await socket.SendAsync(message, WebSocketMessageType.Text, true, token).ConfigureAwait(false);
            _appliedFilterVersion = version;
            _parts.Logger.FilterUpdateSent(collections.Count, dids.Count, message.Length);
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
        var options = _parts.Options;
        _parts.Rotation.AttemptStarted();
        _endpointIndex = _parts.Rotation.Current;
        var (request, filterVersion) = _parts.Filters.Begin(_onFilterChanged);
        _appliedFilterVersion = filterVersion;
        var metrics = _parts.Metrics;
        var logger = _parts.Logger;
        long? cursor = null;
        var v2 = request.Protocol == JetstreamProtocol.V2;
        WebSocket? socket = null;
        var buffer = new MessageAssembler(options.MaxMessageSize);
        var batch = new DeliveryBatch();
        CancellationTokenRegistration abort = default;
        Exception? failure = null;
        var token = _cts.Token;

        try
        {
            // After an overflow pause, connect only once the subscriber has caught up (no idle timer while waiting).
            await _parts.Overflow.WaitForDrainAsync(token).ConfigureAwait(false);
            _idle.Touch();
            _idle.Start();
            await _parts.StoredCursor.EnsureLoadedAsync(token).ConfigureAwait(false);
            cursor = _parts.Position.CursorFor(_endpointIndex);
            _replay = new ReplayGate(_parts.Position.FloorFor(_endpointIndex), cursor, request, _parts.Recent, _parts.Gaps, metrics, logger);
            uint? dictionary = null;
            if (_parts.Compression is { } compression)
            {
                // Fetching the dictionary is part of the attempt: the idle timeout and dispose cancel it too.
                dictionary = (await compression.PrepareAsync(request, token).ConfigureAwait(false))?.Id;
                _idle.Touch();
            }

            logger.Connecting(request.DisplayEndpoint, _number, cursor, request.Collections.Count, request.Dids.Count, request.RequireHello);
            _parts.States.Connecting(request.DisplayEndpoint, _number, cursor);
            var connect = new JetstreamConnectRequest(request.BuildUri(cursor, dictionary), request.SubProtocols, Headers)
            {
                KeepAliveInterval = options.KeepAliveInterval,
                KeepAliveTimeout = options.KeepAliveTimeout,
            };
            socket = await options.Transport.ConnectAsync(connect, token).ConfigureAwait(false);
            _idle.Touch();
            logger.Connected(request.DisplayEndpoint, cursor);
            _parts.States.Connected(request.DisplayEndpoint, cursor);
            if (SilenceTimeout(options, request) == Timeout.InfiniteTimeSpan)
            {
                // A filtered stream may be silent for hours, and its resume may sit behind a silent replay scan: only
                // the transport's keep-alive (a peer that stops answering pings) ends it.
                _idle.Disable();
            }
            _parts.Compression?.Accepted();

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

            // The default transport's socket ends a pending receive when aborted, so its reads need no cancellation
            // registration each (#16): one registration for the attempt aborts it. Other transports get the token per read.
            var receiveToken = token;
            if (options.Transport is ClientWebSocketTransport)
            {
                receiveToken = CancellationToken.None;
                abort = token.Register(static s => ((WebSocket)s!).Abort(), socket);
            }

            var run = 0;
            while (true)
            {
                // The events of reads that complete without waiting form one batch (#16): the buffer's drain loop is
                // woken once when the reader is about to wait (or every MaxBatchRun messages), not once per event the
                // consumer caught up on.
                var pending = buffer.ReceiveAsync(socket, _touch, receiveToken);
                if (!pending.IsCompleted || ++run >= MaxBatchRun)
                {
                    batch.Exit();
                    run = 0;
                }

                var frame = await pending.ConfigureAwait(false);
                batch.Enter();
                // One clock read per message (the assembler touches the clock only between fragments of a long one).
                _now = _idle.Touch();
                if (frame.Type == WebSocketMessageType.Close)
                {
                    batch.Exit();
                    failure = new JetstreamConnectionClosedException(socket.CloseStatus, socket.CloseStatusDescription);
                    await TransportErrors.ReplyToCloseAsync(socket, token).ConfigureAwait(false);
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
                    // The buffer is full (#16): the event would be dropped once built, so it is dropped from its header
                    // alone, counted and remembered as read just the same. Not with several hosts: a dropped event's
                    // identity would be needed to recognise it when another host sends it again.
                    if (_passedOn && _parts.Recent is null && _parts.Overflow.DropsIncomingNow
                        && V1HeaderPeek.TryRead(bytes, out var kind, out var timeUs, out var serverCursor))
                    {
                        Pass(new UndecodedEvent(kind, timeUs, serverCursor), bytes, unknownIsType: false);
                        continue;
                    }

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
            failure = _filterRestart.IsCancellationRequested ? new FilterChangedException() : TransportErrors.Classify(ex, _parts.Filters.Request.DisplayEndpoint);
        }
        finally
        {
            // Never leave a batch open on a pool thread, and wake the consumer for what the last run queued.
            batch.Exit();
            abort.Dispose();
            _parts.Filters.End(_onFilterChanged);
            Volatile.Write(ref _openSocket, null);
            _idle.Dispose();
            socket?.Dispose();
            buffer.Dispose();
            _zstd?.Dispose();
        }

        _replay?.Finish();

        if (_disposed)
        {
            return;
        }

        if (_idle.Expired)
        {
            logger.IdleTimeout(request.DisplayEndpoint, _idle.Timeout.TotalSeconds);
            failure = new JetstreamIdleTimeoutException(_idle.Timeout);
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
        var (id, dictionary) = _parts.Filters.Request.Protocol == JetstreamProtocol.V2
            ? _parts.Compression?.Decoding ?? (JetstreamZstdDictionaries.BundledV2Id, JetstreamZstdDictionaries.BundledV2)
            : (JetstreamZstdDictionaries.V1Id, JetstreamZstdDictionaries.V1);
        return new ZstdFrameDecoder(id, dictionary, _parts.Options.MaxMessageSize);
    }

    /// <summary>Delivers a decoded event (after the replay floor), or counts a skipped or malformed frame.</summary>
    private void Handle(JetstreamDecodeResult result, long length, ReadOnlySpan<byte> bytes, bool unknownIsType)
    {
        var metrics = _parts.Metrics;
        if (result.Event is { } e)
        {
            Pass(e, bytes, unknownIsType);
        }
        else if (result.UnknownKind is { } kind)
        {
            if (unknownIsType)
            {
                metrics.EventsSkipped.Add(1, UnknownTypeTag);
                ServerTextLog.Unknown(_parts.Logger, _scheduler, kind, isType: true);
            }
            else
            {
                metrics.EventsSkipped.Add(1, UnknownKindTag);
                ServerTextLog.Unknown(_parts.Logger, _scheduler, kind, isType: false);
            }
        }
        else
        {
            Malformed(result.MalformedReason!.Value, result.Detail, length, bytes);
        }
    }

    /// <summary>
    /// Passes a read event on: counted, its cursor checked, then (after the replay floor) remembered as queued and handed
    /// to the buffer; an <see cref="UndecodedEvent"/> goes the same way into the buffer's drop count instead.
    /// </summary>
    private void Pass(JetstreamEvent e, ReadOnlySpan<byte> bytes, bool unknownIsType)
    {
        var metrics = _parts.Metrics;
        metrics.EventsReceived.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.KindTag, JetstreamMetrics.KindTagValue(e.Kind)));

        // A cursor that cannot be right (a hostile or buggy server) is never trusted: the event is passed on, but
        // it neither ends the replay floor, nor seeds the gap check, nor becomes the resume or saved cursor.
        var problem = _parts.Plausibility.Problem(e, _now / TicksPerMicrosecond, _endpointIndex);
        if (problem is not null)
        {
            _parts.Plausibility.Implausible(problem, _parts.Filters.AttemptEndpoint);
        }
        else
        {
            _parts.Plausibility.Plausible();
        }

        if (!_replay!.Admit(e, trusted: problem is null))
        {
            return;
        }

        if (e is not UndecodedEvent)
        {
            // v1 only (unknownIsType is false exactly for v1 frames): the bytes are the event itself, not an envelope.
            e = Stamped(e, untrusted: problem is not null, bytes, v1: !unknownIsType);
        }

        if (_parts.Overflow.MustPauseBefore(EventSize.Of(e)))
        {
            // The buffer is full and the policy is to lose nothing: stop here, without taking this event (nor
            // remembering it as queued); the reconnect replays it from the cursor of the last event queued.
            metrics.EventsSkipped.Add(1, OverflowTag);
            _paused = true;
            _parts.Overflow.Paused();
            return;
        }

        // Remembered as queued only now that it is passed on, right below.
        _replay.Delivering(e);
        if (metrics.Lag.Enabled && problem is null)
        {
            metrics.Lag.Record(((_now / (TimeSpan.TicksPerMillisecond / 1000)) - (double)e.TimeUs) / 1e6);
        }

        if (problem is null)
        {
            _parts.Position.Advance(e, _endpointIndex);
            _parts.Rotation.Progress();
        }

        if (e is UndecodedEvent undecoded)
        {
            if (_parts.Overflow.TryDropUndecoded(undecoded))
            {
                return;
            }

            // The subscriber took an event since the check (or stopped taking them): the event is built after all and
            // passed on like any other; it has passed the checks above. Only a body the header did not show to be broken
            // can fail here, counted as malformed (after being counted as received).
            var result = JetstreamEventDecoder.Decode(bytes);
            if (result.Event is not { } built)
            {
                Malformed(result.MalformedReason ?? MalformedFrameReason.InvalidValue, result.Detail, bytes.Length, bytes);
                return;
            }

            e = Stamped(built, untrusted: problem is not null, bytes, v1: true);
        }

        _passedOn = true;
        _observer.OnNext(e);
    }

    /// <summary>
    /// <paramref name="e"/> as it is passed on. Events are immutable (#16): the rare event with another origin than the
    /// decoder's default (endpoint 0, trusted) or with its raw JSON (<see cref="JetstreamOptions.RetainRawJson"/>, v1
    /// frames, whose bytes are the event itself) is a copy stamped before anyone else sees it.
    /// </summary>
    private JetstreamEvent Stamped(JetstreamEvent e, bool untrusted, ReadOnlySpan<byte> bytes, bool v1)
    {
        var rawJson = _parts.Options.RetainRawJson && v1 ? bytes.ToArray() : default(ReadOnlyMemory<byte>);
        return untrusted || _endpointIndex != 0 || !rawJson.IsEmpty
            ? e.WithOrigin(new EventOrigin(_endpointIndex, CursorUntrusted: untrusted), rawJson)
            : e;
    }

    private void Malformed(MalformedFrameReason reason, string? detail, long length, ReadOnlySpan<byte> bytes, bool binary = false)
    {
        _parts.Metrics.MalformedFrames.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.ReasonTag, JetstreamMetrics.ReasonTagValue(reason)));
        if (_parts.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            _parts.Logger.MalformedFrame(reason, detail, length, binary ? PayloadPreview.Hex(bytes) : PayloadPreview.Text(bytes));
        }
    }
}
