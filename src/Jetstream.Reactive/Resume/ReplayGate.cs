using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Protocol;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Resume;

/// <summary>
/// One connection's gate between the decoder and delivery after a resume: skips the server's inclusive replay of what
/// was queued (the <see cref="ReplayFloor"/>), drops what another host sends again after a failover (the
/// <see cref="RecentEventWindow"/>), and hands the first event to the <see cref="GapDetector"/>.
/// </summary>
internal sealed class ReplayGate
{
    private static readonly KeyValuePair<string, object?> DuplicateTag = new(JetstreamMetrics.ReasonTag, "duplicate");

    private readonly SubscribeRequest _request;
    private readonly RecentEventWindow? _recent;
    private readonly GapDetector _gaps;
    private readonly JetstreamMetrics _metrics;
    private readonly ILogger _logger;
    private ReplayFloor? _floor;
    private long? _gapCursor;
    private long _replaySkipped;
    private long _duplicatesSkipped;

    // Whether an event past the floor arrived on this connection: only before that can a seq below it mean a reset (after
    // it, the server's seqs only rise, and a lower one is a stale duplicate).
    private bool _pastFloor;

    /// <param name="floor">The replay floor of this connection, if it resumes on the host of the last queued event.</param>
    /// <param name="cursor">The cursor the connection was made with, for the gap check.</param>
    /// <param name="request">The connection's request.</param>
    /// <param name="recent">Recently queued events, when there are several hosts.</param>
    /// <param name="gaps">The gap detector.</param>
    /// <param name="metrics">The metrics.</param>
    /// <param name="logger">The logger.</param>
    public ReplayGate(ReplayFloor? floor, long? cursor, SubscribeRequest request, RecentEventWindow? recent, GapDetector gaps, JetstreamMetrics metrics, ILogger logger)
    {
        _floor = floor;
        _gapCursor = cursor;
        _request = request;
        _recent = recent;
        _gaps = gaps;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Whether <paramref name="e"/> is passed on (otherwise it was counted as skipped). An event whose cursor is
    /// not <paramref name="trusted"/> neither ends the floor nor seeds the gap check.
    /// </summary>
    public bool Admit(JetstreamEvent e, bool trusted)
    {
        if (trusted && !PastReplay(e))
        {
            return false;
        }

        // After a move to another host the resume is rewound: what was queued before comes again, by identity.
        if (_recent is { } recent && recent.Contains(e))
        {
            _duplicatesSkipped++;
            _metrics.EventsSkipped.Add(1, DuplicateTag);
            return false;
        }

        return true;
    }

    /// <summary><paramref name="e"/> is being passed on: a later copy of it from another host is a duplicate.</summary>
    public void Delivering(JetstreamEvent e) => _recent?.TryAdd(e);

    /// <summary>The connection ended: logs what was skipped.</summary>
    public void Finish()
    {
        if (_replaySkipped > 0 && _floor is { } unfinished)
        {
            _logger.ReplaySkipped(_replaySkipped, unfinished.Cursor);
        }

        if (_duplicatesSkipped > 0)
        {
            _logger.DuplicatesSkipped(_duplicatesSkipped);
        }
    }

    private bool PastReplay(JetstreamEvent e)
    {
        if (_gapCursor is { } gapCursor)
        {
            _gapCursor = null;
            _gaps.Check(gapCursor, e, _request);
        }

        if (_floor is not { } f)
        {
            return true;
        }

        if (!_pastFloor && f.IsReset(e))
        {
            // Never skip on a floor the host no longer knows: report, rebase on its numbers, deliver.
            _floor = null;
            _gaps.SequenceReset(f.Cursor, e, _request);
            return true;
        }

        if (f.Covers(e))
        {
            // The server replays inclusively from the cursor: skip what was queued before the reconnect.
            // On v1, only until the first event past it; after that, an older time_us is a reorder, not a replay.
            _replaySkipped++;
            _metrics.EventsSkipped.Add(1, DuplicateTag);
            return false;
        }

        _pastFloor = true;
        if (!f.Persistent)
        {
            _floor = null;
            if (_replaySkipped > 0)
            {
                _logger.ReplaySkipped(_replaySkipped, f.Cursor);
                _replaySkipped = 0;
            }
        }

        return true;
    }
}
