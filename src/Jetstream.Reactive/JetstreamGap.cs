namespace Jetstream.Reactive;

/// <summary>
/// A likely loss after a resume: the first event after connecting with a cursor is much later than the cursor, as when a
/// server has clamped a cursor older than its retention to the oldest event it still holds (which v1 servers do
/// silently), or a server whose sequence numbers restarted (<see cref="SequenceReset"/>). Reported to <see cref="JetstreamOptions.Gaps"/>, logged at Warning and counted in <c>jetstream.client.gaps</c>.
/// </summary>
/// <param name="Endpoint">The endpoint connected to (without query).</param>
/// <param name="RequestedCursor">The cursor sent.</param>
/// <param name="FirstCursor">The cursor of the first event received.</param>
/// <param name="FirstTimeUs">The <c>time_us</c> of the first event received.</param>
/// <param name="Duration">For a timestamp cursor, the time between the cursor and the first event; otherwise <see langword="null"/>.</param>
/// <param name="MissingSequences">For a sequence-number cursor on an unfiltered stream, how many sequence numbers were skipped; otherwise <see langword="null"/>.</param>
public sealed record JetstreamGap(string Endpoint, long RequestedCursor, long FirstCursor, long FirstTimeUs, TimeSpan? Duration, long? MissingSequences)
{
    /// <summary>
    /// The host's sequence numbers went back below the cursor sent (<see cref="RequestedCursor"/>): the instance behind the
    /// name was replaced and numbers from 1 again. What it held past its new numbering is unknown; the stream rebased on
    /// its new numbers (<see cref="FirstCursor"/>) and went on delivering.
    /// </summary>
    public bool SequenceReset { get; init; }
}
