namespace Jetstream.Reactive.Archive;

/// <summary>
/// A snapshot of a backfill's progress, published to <see cref="JetstreamBackfillOptions.Progress"/> after each
/// replayed block and at each phase change. Counts run over the whole subscription (every re-backfill cycle).
/// </summary>
public sealed record JetstreamBackfillProgress
{
    /// <summary>The phase.</summary>
    public JetstreamBackfillPhase Phase { get; init; }

    /// <summary>The sweep number: 1, then one more for each re-backfill after <c>CursorTooOld</c>.</summary>
    public int Cycle { get; init; }

    /// <summary>The sealed tip pinned by the current sweep (the target of the replay); 0 before the first plan page.</summary>
    public long SealedTipSeq { get; init; }

    /// <summary>The plan's continuation cursor reached so far.</summary>
    public long PlannedThroughSeq { get; init; }

    /// <summary>The seq the replay started after (the current sweep's start cursor).</summary>
    public long StartSeq { get; init; }

    /// <summary>The seq of the last event delivered (or the start cursor when none yet): persist it to resume.</summary>
    public long LastSeq { get; init; }

    /// <summary>Plan pages fully delivered.</summary>
    public long Pages { get; init; }

    /// <summary>Whole-segment downloads planned so far.</summary>
    public long SegmentsPlanned { get; init; }

    /// <summary>Whole-segment downloads finished.</summary>
    public long SegmentsDone { get; init; }

    /// <summary>Blocks planned so far (in segments once downloaded, and single blocks).</summary>
    public long BlocksPlanned { get; init; }

    /// <summary>Blocks replayed.</summary>
    public long BlocksDone { get; init; }

    /// <summary>Archive bytes downloaded (segments and blocks, retries included).</summary>
    public long BytesDownloaded { get; init; }

    /// <summary>Events delivered to the subscriber (archive and live).</summary>
    public long EventsDelivered { get; init; }

    /// <summary>Stored rows that could not become events (reported in the log and metrics; the rest of their block was delivered).</summary>
    public long RowErrors { get; init; }

    /// <summary>Time since the subscription started (on <see cref="JetstreamBackfillOptions.TimeProvider"/>).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Events delivered per second so far.</summary>
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? EventsDelivered / Elapsed.TotalSeconds : 0;

    /// <summary>The share of the seq range to the sealed tip already replayed, 0 to 1.</summary>
    public double Fraction => SealedTipSeq <= StartSeq ? (Phase == JetstreamBackfillPhase.Downloading ? 0 : 1) : Math.Clamp((double)(LastSeq - StartSeq) / (SealedTipSeq - StartSeq), 0, 1);

    /// <summary>The time left to reach the sealed tip at the seq rate so far; null until there is a rate.</summary>
    public TimeSpan? EstimatedRemaining
    {
        get
        {
            if (Phase != JetstreamBackfillPhase.Downloading || Elapsed <= TimeSpan.Zero || LastSeq <= StartSeq)
            {
                return Phase == JetstreamBackfillPhase.Downloading ? null : TimeSpan.Zero;
            }

            var rate = (LastSeq - StartSeq) / Elapsed.TotalSeconds;
            return TimeSpan.FromSeconds(Math.Max(0, SealedTipSeq - LastSeq) / rate);
        }
    }
}
