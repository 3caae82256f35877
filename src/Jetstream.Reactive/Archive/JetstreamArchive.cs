using System.Reactive.Linq;

namespace Jetstream.Reactive.Archive;

/// <summary>History from the Jetstream v2 archive, continued live with no gap and no duplicate.</summary>
public static class JetstreamArchive
{
    /// <summary>
    /// A cold stream that replays the sealed archive after <see cref="JetstreamBackfillOptions.AfterSeq"/> in strictly
    /// rising seq order, then continues on the v2 live socket from max(sealed tip, last seq) (or completes, with
    /// <see cref="JetstreamBackfillOptions.SnapshotOnly"/>). If the live socket answers <c>CursorTooOld</c>, history is
    /// replayed again from the last seq; five such answers in a row with no progress end the stream. Each subscription
    /// runs its own backfill. Save <see cref="JetstreamEvent.Cursor"/> and pass it as <c>AfterSeq</c> to resume.
    /// </summary>
    /// <param name="options">The settings; validated at once.</param>
    /// <returns>The events, archive then live, with v2 seq cursors.</returns>
    /// <exception cref="JetstreamOptionsException">A setting is invalid; the message names each with its value.</exception>
    public static IObservable<JetstreamEvent> Backfill(JetstreamBackfillOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Observable.Create<JetstreamEvent>((observer, token) => new BackfillRun(options, observer).RunAsync(token));
    }
}
