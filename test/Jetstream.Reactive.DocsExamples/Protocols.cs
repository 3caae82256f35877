using System.Reactive.Linq;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/protocols.md.</summary>
internal static class Protocols
{
    public static IDisposable V2()
    {
        // begin-snippet: protocol-v2
        var options = new JetstreamOptions
        {
            Protocol = JetstreamProtocol.V2,                      // Endpoint left alone: wss://jetstream.us-east.bsky.network
            Kinds = [JetstreamEventKind.Commit, JetstreamEventKind.Sync],
            WantedCollections = ["app.bsky.feed.post"],
            Compression = JetstreamCompression.Zstd,              // the server's dictionary, fetched and cached
            OnCursorTooOld = JetstreamCursorTooOldBehavior.Fail,  // the default: tell me about a gap
        };

        var subscription = JetstreamObservable.Connect(options).Subscribe(
            e =>
            {
                if (e is SyncEvent sync)
                {
                    Console.WriteLine($"re-sync {sync.Did} from its PDS");
                }
                else
                {
                    Console.WriteLine($"{e} seq={e.Cursor}");
                }
            },
            error => Console.Error.WriteLine(error is JetstreamHandshakeException { Error: "CursorTooOld" }
                ? "the server no longer holds my cursor: backfill from the archive, then resume live"
                : $"stream ended: {error.Message}"));
        // end-snippet
        return subscription;
    }

    public static JetstreamOptions V1OnTheNewServer()
    {
        // begin-snippet: protocol-v1-new-server
        var options = new JetstreamOptions
        {
            Endpoint = new Uri("wss://jetstream.us-west.bsky.network"), // the newer server, /subscribe
            Protocol = JetstreamProtocol.V1,
        };
        // end-snippet
        return options;
    }
}
