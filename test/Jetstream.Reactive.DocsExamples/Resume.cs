using System.Globalization;
using System.Reactive.Linq;
using Jetstream.Reactive.Linq;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/reconnection-and-cursors.md.</summary>
internal static class Resume
{
    public static async Task DurableAsync(IEventStore store, CancellationToken stoppingToken)
    {
        // begin-snippet: durable-cursor
        using var subscription = JetstreamObservable
            .Connect(new JetstreamOptions
            {
                WantedCollections = ["app.bsky.feed.post"],
                CursorStore = new FileCursorStore("jetstream.cursor.json"), // loaded before connecting, saved every 5 s and on dispose
            })
            .SubscribeAsync(
                (e, cancellationToken) => store.SaveAsync(e, cancellationToken), // idempotent: a restart may repeat up to 5 s of events
                onError: error => Console.Error.WriteLine(error));

        using (stoppingToken.Register(subscription.Dispose))
        {
            await subscription.Completion;
        }
        // end-snippet
    }

    public static async Task DurableThroughLinqAsync(IEventStore store, CancellationToken stoppingToken)
    {
        // begin-snippet: durable-cursor-linq
        var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { CursorStore = new FileCursorStore("jetstream.cursor.json") })
            .OfType<CommitEvent>()
            .Where(e => e.Commit.Collection == "app.bsky.feed.post") // the cursor still waits for the handler
            .SubscribeAsync((e, cancellationToken) => store.SaveAsync(e, cancellationToken));

        var stopping = new TaskCompletionSource();
        using (stoppingToken.Register(() => stopping.TrySetResult()))
        {
            await stopping.Task; // until the host stops
        }

        // Stops the stream and returns once the last handled event's cursor is stored (or throws if that save failed).
        await subscription.DisposeAsync();
        // end-snippet
    }

    public static void Lossless(Action<JetstreamEvent> slowWork)
    {
        // begin-snippet: overflow-resume
        // When 10,000 events wait, the connection is closed instead of dropping more; once the subscriber has worked
        // the buffer down to half, the stream reconnects from the cursor and the server replays what was skipped.
        using var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { Overflow = JetstreamOverflow.ResumeFromCursor })
            .Subscribe(slowWork, error => Console.Error.WriteLine(error.Message));
        // end-snippet
    }

    public static void Gaps()
    {
        // begin-snippet: gaps
        var gaps = new System.Reactive.Subjects.Subject<JetstreamGap>();
        gaps.Subscribe(gap => Console.Error.WriteLine(
            $"{gap.Endpoint} resumed at {gap.RequestedCursor} but started at {gap.FirstCursor}: {gap.Duration} lost?"));
        var options = new JetstreamOptions { Cursor = 1_779_719_009_132_431, Gaps = gaps };
        // end-snippet
        _ = options;
    }

    public static async Task RunAsync(IEventStore store, CancellationToken stoppingToken)
    {
        // begin-snippet: resume
        const string CursorFile = "jetstream.cursor";
        long? saved = File.Exists(CursorFile)
            ? long.Parse(await File.ReadAllTextAsync(CursorFile, stoppingToken), CultureInfo.InvariantCulture)
            : null;

        long? last = null; // the handler runs one call at a time, so a plain local is safe
        var handled = 0;
        using var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { WantedCollections = ["app.bsky.feed.post"], Cursor = saved })
            .SubscribeAsync(
                async (e, cancellationToken) =>
                {
                    await store.SaveAsync(e, cancellationToken); // idempotent: the event at the cursor comes again
                    last = e.Cursor;
                    if (++handled % 1_000 == 0)
                    {
                        await SaveCursorAsync(CursorFile, e.Cursor);
                    }
                },
                onError: error => Console.Error.WriteLine(error));

        using (stoppingToken.Register(subscription.Dispose))
        {
            await subscription.Completion;
        }

        if (last is { } cursor)
        {
            await SaveCursorAsync(CursorFile, cursor);
        }
        // end-snippet
    }

    // begin-snippet: save-cursor
    private static async Task SaveCursorAsync(string path, long cursor)
    {
        // Write a new file, then rename it over the old one, so a crash never leaves half a number behind.
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, cursor.ToString(CultureInfo.InvariantCulture));
        File.Move(temporary, path, overwrite: true);
    }
    // end-snippet
}
