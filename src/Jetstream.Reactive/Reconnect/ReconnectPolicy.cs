using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Connection;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Resume;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Reconnect;

/// <summary>
/// Classifies how a connection ended into a <see cref="ReconnectDecision"/>, applying what the error asks for on the
/// way (a failover to the next host, a v2 handshake recovery), and reports each retry.
/// </summary>
internal sealed class ReconnectPolicy
{
    private const string CursorTooOld = "CursorTooOld";
    private const string UnknownZstdDictionary = "UnknownZstdDictionary";

    // The jetstream.reason values of jetstream.client.reconnects: a fixed, small set (docs/telemetry.md).
    internal const string ReconnectFailure = "failure";
    internal const string ReconnectOverflowPause = "overflow_pause";
    internal const string ReconnectFilterUpdate = "filter_update";
    internal const string ReconnectCursorTooOld = "cursor_too_old";
    internal const string ReconnectDictionaryRotated = "dictionary_rotated";

    private readonly JetstreamOptions _options;
    private readonly ResumePosition _position;
    private readonly EndpointRotation _rotation;
    private readonly FilterState _filters;
    private readonly V2Compression? _compression;
    private readonly ConnectionStateReporter _states;
    private readonly JetstreamMetrics _metrics;
    private readonly ILogger _logger;

    public ReconnectPolicy(JetstreamOptions options, ResumePosition position, EndpointRotation rotation, FilterState filters, V2Compression? compression, ConnectionStateReporter states, JetstreamMetrics metrics, ILogger logger)
    {
        _options = options;
        _position = position;
        _rotation = rotation;
        _filters = filters;
        _compression = compression;
        _states = states;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>What to do after the connection ended with <paramref name="error"/>.</summary>
    public ReconnectDecision Decide(Exception error)
    {
        if (error is FilterChangedException)
        {
            return ReconnectDecision.Now(ReconnectFilterUpdate);
        }

        if (error is OverflowPauseException)
        {
            return ReconnectDecision.Now(ReconnectOverflowPause);
        }

        if (_options.Protocol == JetstreamProtocol.V2 && error is JetstreamHandshakeException handshake)
        {
            // The two v2 rejections with a recovery of their own (PROTOCOL.md §6.2); both reconnect at once.
            if (handshake.Error == UnknownZstdDictionary && _compression?.InUse is { } dictionary)
            {
                // At once after the first rejection; a server rejecting every dictionary is retried with backoff, and
                // those repeated rejections count as failures toward failover, like any other failed attempt.
                if (_compression.Rejected(dictionary, handshake.ErrorMessage))
                {
                    return ReconnectDecision.Now(ReconnectDictionaryRotated);
                }

                FailOverIfDue();
                return ReconnectDecision.AfterBackoff();
            }

            if (handshake.Error == CursorTooOld && _options.OnCursorTooOld == JetstreamCursorTooOldBehavior.RestartFromLive && _position.CursorFor(_rotation.Current) is { } cursor)
            {
                _logger.CursorTooOldRestart(cursor, ServerTextLog.Clean(handshake.ErrorMessage));
                _metrics.CursorRestarts.Add(1);
                _position.RestartFromLive();
                return ReconnectDecision.Now(ReconnectCursorTooOld);
            }
        }

        if (error is JetstreamException { IsRetryable: true })
        {
            FailOverIfDue();
            return ReconnectDecision.AfterBackoff();
        }

        _logger.ConnectionFailed(error.Message, error);
        _states.Stopped(_filters.AttemptEndpoint, error, _position.CursorFor(_rotation.Current));
        return ReconnectDecision.Stop;
    }

    /// <summary>A reconnect is scheduled, as <paramref name="decision"/> asked: counted (tagged with its reason) and logged.</summary>
    public void Retrying(RetryAttempt retry, ReconnectDecision decision)
    {
        // Tagged so that a dashboard alerting on reconnects can tell a failure from a pause or a planned reconnect.
        _metrics.Reconnects.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.ReasonTag, decision.Reason));
        if (retry.Error is OverflowPauseException)
        {
            return;
        }

        if (retry.Error is FilterChangedException)
        {
            var request = _filters.Request;
            _logger.FilterUpdateReconnect(request.Collections.Count, request.Dids.Count, request.DisplayEndpoint);
            return;
        }

        // A planned restart (overflow pause, filter change) is no loss: observers see it as the next Connecting only.
        _states.Reconnecting(_filters.AttemptEndpoint, retry, _position.CursorFor(_rotation.Current));
        _logger.ConnectionLost(_filters.AttemptEndpoint, retry.Error.Message, retry.Error is JetstreamConnectionException ? retry.Error.InnerException : null);
        _logger.Reconnecting(retry.Delay.TotalMilliseconds, retry.Attempt);
    }

    /// <summary>After enough failed attempts in a row, the next connection goes to the next host.</summary>
    private void FailOverIfDue()
    {
        var failures = _rotation.Failed();
        if (failures == 0)
        {
            return;
        }

        var from = _filters.AttemptEndpoint;
        var to = _filters.MoveTo(_rotation.CurrentUri);
        _metrics.Failovers.Add(1);
        _logger.FailingOver(failures, from, to, _position.CursorFor(_rotation.Current));
    }
}
