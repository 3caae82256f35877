using System.Reactive.Linq;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Linq;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// One subscription's logical connection: the cursor that survives reconnects, the attempts, the v2 compression state,
/// and the monitor of its buffer. Attempts run one after another (the retry operator subscribes the next only after the
/// previous failed), so the cursor state needs no lock.
/// </summary>
internal sealed class JetstreamSession : IDropIncomingMonitor<JetstreamEvent>
{
    private const string CursorTooOld = "CursorTooOld";
    private const string UnknownZstdDictionary = "UnknownZstdDictionary";

    private long? _lastCursor;
    private bool _lastIsSeq;
    private bool _configuredCursorAbandoned;
    private bool _retryAtOnce;
    private int _attempts;

    public JetstreamSession(JetstreamOptions options, JetstreamMetrics metrics, ILogger logger, ZstdDictionaryCache dictionaries)
    {
        Options = options;
        Metrics = metrics;
        Logger = logger;
        Request = new SubscribeRequest(options);
        if (options.Protocol == JetstreamProtocol.V2 && options.Compression == JetstreamCompression.Zstd)
        {
            Compression = new V2Compression(dictionaries, options.DictionarySource, metrics, logger);
        }
    }

    public JetstreamOptions Options { get; }

    /// <summary>The request of the next attempt (host and filters).</summary>
    public SubscribeRequest Request { get; }

    public JetstreamMetrics Metrics { get; }

    public ILogger Logger { get; }

    /// <summary>The v2 zstd state, when v2 compression was asked for.</summary>
    public V2Compression? Compression { get; }

    /// <summary>The cursor for the next connection: the last delivered event's, else the configured start.</summary>
    public long? ResumeCursor => _lastCursor ?? (_configuredCursorAbandoned ? null : Options.Cursor);

    /// <summary>
    /// The replay floor for the next connection: the last delivered event's cursor. Never the configured start cursor:
    /// a configured cursor asks for an inclusive replay, and a timestamp must never become a sequence floor. On v2 the
    /// floor holds for the whole connection (the server sends strictly increasing seqs); on v1 it ends at the first
    /// newer event, because legacy servers may reorder at the replay-to-live cutover.
    /// </summary>
    public ReplayFloor? Floor => _lastCursor is { } c ? new ReplayFloor(c, _lastIsSeq, Options.Protocol == JetstreamProtocol.V2) : null;

    /// <summary>The connection events of this session, retried with backoff (no buffer).</summary>
    public IObservable<JetstreamEvent> Connections() =>
        new RetryWithBackoffObservable<JetstreamEvent>(
            Observable.Create<JetstreamEvent>(observer =>
            {
                var attempt = new ConnectionAttempt(this, observer, ++_attempts);
                attempt.Start();
                return attempt;
            }),
            Options.Backoff,
            ShouldRetry,
            Options.Scheduler,
            OnRetry,
            _ => _retryAtOnce);

    /// <summary>Records that <paramref name="e"/> is being delivered downstream: the next reconnect resumes from it.</summary>
    public void Advance(JetstreamEvent e)
    {
        _lastCursor = e.Cursor;
        _lastIsSeq = e.ServerCursor is not null;
    }

    public void DepthChanged(int delta) => Metrics.BufferDepth.Add(delta);

    public void Dropped(JetstreamEvent item, bool firstInEpisode, int capacity)
    {
        Metrics.EventsDropped.Add(1);
        if (firstInEpisode)
        {
            Logger.BufferFull(capacity);
        }
    }

    public void EpisodeEnded(long dropped) => Logger.BufferRecovered(dropped);

    private bool ShouldRetry(Exception error)
    {
        _retryAtOnce = false;
        if (Options.Protocol == JetstreamProtocol.V2 && error is JetstreamHandshakeException handshake)
        {
            // The two v2 rejections with a recovery of their own (PROTOCOL.md §6.2); both reconnect at once.
            if (handshake.Error == UnknownZstdDictionary && Compression?.InUse is { } dictionary)
            {
                Compression.Rejected(dictionary, handshake.ErrorMessage);
                return _retryAtOnce = true;
            }

            if (handshake.Error == CursorTooOld && Options.OnCursorTooOld == JetstreamCursorTooOldBehavior.RestartFromLive && ResumeCursor is { } cursor)
            {
                Logger.CursorTooOldRestart(cursor, handshake.ErrorMessage);
                Metrics.CursorRestarts.Add(1);
                _lastCursor = null;
                _configuredCursorAbandoned = true;
                return _retryAtOnce = true;
            }
        }

        if (error is JetstreamException { IsRetryable: true })
        {
            return true;
        }

        Logger.ConnectionFailed(error.Message, error);
        return false;
    }

    private void OnRetry(RetryAttempt retry)
    {
        Metrics.Reconnects.Add(1);
        Logger.ConnectionLost(Request.DisplayEndpoint, retry.Error.Message, retry.Error is JetstreamConnectionException ? retry.Error.InnerException : null);
        Logger.Reconnecting(retry.Delay.TotalMilliseconds, retry.Attempt);
    }

    /// <summary>Events at or below this cursor, right after a reconnect, are the server's inclusive replay of what was delivered.</summary>
    internal readonly record struct ReplayFloor(long Cursor, bool IsSeq, bool Persistent)
    {
        public bool Covers(JetstreamEvent e) => IsSeq ? e.ServerCursor is { } seq && seq <= Cursor : e.TimeUs <= Cursor;
    }
}
