using System.Reactive.Linq;
using Jetstream.Reactive.Archive;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/backfill.md.</summary>
internal static class Backfill
{
    public static IDisposable HistoryThenLive(IEventStore store, long savedSeq)
    {
        // begin-snippet: backfill
        var options = new JetstreamBackfillOptions(new JetstreamOptions
        {
            Protocol = JetstreamProtocol.V2,
            Endpoint = new Uri("wss://jetstream.us-east.bsky.network"),
            WantedCollections = ["app.bsky.feed.like"],
        })
        {
            AfterSeq = savedSeq, // 0: the whole archive; else the last seq you processed
            DownloadConcurrency = 8,
            Progress = new Progress(p => Console.Error.WriteLine($"{p.Phase} {p.LastSeq}/{p.SealedTipSeq} ETA {p.EstimatedRemaining}")),
        };

        return JetstreamArchive.Backfill(options).Subscribe(
            e => store.SaveAsync(e, CancellationToken.None).GetAwaiter().GetResult(), // save e.Cursor with the effect
            error => Console.Error.WriteLine(error.Message));
        // end-snippet
    }

    public static async Task<long> SnapshotAsync()
    {
        // begin-snippet: backfill-snapshot
        var snapshot = new JetstreamBackfillOptions(new JetstreamOptions { Protocol = JetstreamProtocol.V2 })
        {
            AfterSeq = 1_000,
            BeforeSeq = 2_000, // inclusive; needs SnapshotOnly
            SnapshotOnly = true, // no live socket: the stream completes at the end of the range
        };
        var count = await JetstreamArchive.Backfill(snapshot).Count();
        // end-snippet
        return count;
    }

    private sealed class Progress(Action<JetstreamBackfillProgress> onNext) : IObserver<JetstreamBackfillProgress>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(JetstreamBackfillProgress value) => onNext(value);
    }
}
