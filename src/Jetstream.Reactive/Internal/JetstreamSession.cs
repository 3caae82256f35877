using System.Reactive.Linq;
using Jetstream.Reactive.Linq;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// One subscription's logical connection: the cursor that survives reconnects, the attempts, and the monitor of its
/// buffer. Attempts run one after another (the retry operator subscribes the next only after the previous failed), so
/// the cursor state needs no lock.
/// </summary>
internal sealed class JetstreamSession : IDropIncomingMonitor<JetstreamEvent>
{
    private long? _lastCursor;
    private bool _lastIsSeq;
    private int _attempts;

    public JetstreamSession(JetstreamOptions options, SubscribeRequest request, JetstreamMetrics metrics, ILogger logger)
    {
        Options = options;
        Request = request;
        Metrics = metrics;
        Logger = logger;
    }

    public JetstreamOptions Options { get; }

    public SubscribeRequest Request { get; }

    public JetstreamMetrics Metrics { get; }

    public ILogger Logger { get; }

    /// <summary>The cursor for the next connection: the last delivered event's, else the configured start.</summary>
    public long? ResumeCursor => _lastCursor ?? Options.Cursor;

    /// <summary>
    /// The replay floor for the next connection: the last delivered event's cursor. Never the configured start cursor:
    /// a configured cursor asks for an inclusive replay, and a timestamp must never become a sequence floor.
    /// </summary>
    public ReplayFloor? Floor => _lastCursor is { } c ? new ReplayFloor(c, _lastIsSeq) : null;

    /// <summary>The connection events of this session, retried with backoff (no buffer).</summary>
    public IObservable<JetstreamEvent> Connections() =>
        Observable.Create<JetstreamEvent>(observer =>
            {
                var attempt = new ConnectionAttempt(this, observer, ++_attempts);
                attempt.Start();
                return attempt;
            })
            .RetryWithBackoff(Options.Backoff, ShouldRetry, Options.Scheduler, OnRetry);

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
    internal readonly record struct ReplayFloor(long Cursor, bool IsSeq)
    {
        public bool Covers(JetstreamEvent e) => IsSeq ? e.ServerCursor is { } seq && seq <= Cursor : e.TimeUs <= Cursor;
    }
}
