using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Protocol;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Resume;

/// <summary>
/// Looks at the first event after a resume for events the server could not replay, and reports them to
/// <see cref="JetstreamOptions.Gaps"/> (on the scheduler), the gaps counter and the log.
/// </summary>
internal sealed class GapDetector
{
    private const long TimestampCursorThreshold = 1_000_000_000_000_000;
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    private readonly JetstreamOptions _options;
    private readonly JetstreamMetrics _metrics;
    private readonly ILogger _logger;

    public GapDetector(JetstreamOptions options, JetstreamMetrics metrics, ILogger logger)
    {
        _options = options;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Checks the first event after connecting with <paramref name="cursor"/> for a likely gap: a timestamp cursor far
    /// older than the event, or, on an unfiltered stream, skipped sequence numbers.
    /// </summary>
    public void Check(long cursor, JetstreamEvent first, SubscribeRequest request)
    {
        JetstreamGap? gap = null;
        if (cursor >= TimestampCursorThreshold)
        {
            var gapUs = first.TimeUs - cursor;
            if (_options.GapThreshold != Timeout.InfiniteTimeSpan && gapUs > _options.GapThreshold.Ticks / TicksPerMicrosecond)
            {
                gap = new JetstreamGap(request.DisplayEndpoint, cursor, first.Cursor, first.TimeUs, TimeSpan.FromTicks(gapUs * TicksPerMicrosecond), null);
            }
        }
        else if (first.ServerCursor is { } seq && seq > cursor + 1 && request.Collections.Count == 0 && request.Dids.Count == 0 && _options.Kinds.Count == 0)
        {
            gap = new JetstreamGap(request.DisplayEndpoint, cursor, seq, first.TimeUs, null, seq - cursor - 1);
        }

        if (gap is null)
        {
            return;
        }

        _metrics.Gaps.Add(1);
        _logger.GapDetected(gap.Endpoint, gap.RequestedCursor, gap.FirstCursor, gap.Duration is { } d ? $"{d.TotalSeconds:0.###} s later" : $"{gap.MissingSequences} sequence numbers skipped");
        Report(gap);
    }

    /// <summary>
    /// The host's sequence numbers went back below the cursor sent: its instance was replaced. Reported as a gap (with
    /// <see cref="JetstreamGap.SequenceReset"/>), counted and logged; the caller drops the replay floor, and the next
    /// queued event rebases the cursor.
    /// </summary>
    public void SequenceReset(long cursor, JetstreamEvent first, SubscribeRequest request)
    {
        var gap = new JetstreamGap(request.DisplayEndpoint, cursor, first.Cursor, first.TimeUs, null, null) { SequenceReset = true };
        _metrics.SequenceResets.Add(1);
        _logger.SequenceReset(gap.Endpoint, cursor, gap.FirstCursor);
        Report(gap);
    }

    private void Report(JetstreamGap gap)
    {
        // On the scheduler, not on the socket reader: a slow observer must not stall the socket.
        if (_options.Gaps is { } gaps)
        {
            GapNotifier.Of(gaps, _options.Scheduler, _logger).Report(gap);
        }
    }
}
