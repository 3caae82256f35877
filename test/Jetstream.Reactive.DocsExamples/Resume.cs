using System.Globalization;
using Jetstream.Reactive.Linq;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/reconnection-and-cursors.md.</summary>
internal static class Resume
{
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
