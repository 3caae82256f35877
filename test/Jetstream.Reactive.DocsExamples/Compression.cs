namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/compression.md.</summary>
internal static class Compression
{
    public static IObservable<JetstreamEvent> V1()
    {
        // begin-snippet: compression-v1
        var events = JetstreamObservable.Connect(new JetstreamOptions
        {
            Endpoint = new Uri("wss://jetstream2.us-east.bsky.network"),
            Compression = JetstreamCompression.Zstd, // ?compress=true; binary frames decoded with the bundled dictionary
            MaxMessageSize = 4 * 1024 * 1024,         // also caps each frame's decompressed size
        });
        // end-snippet
        return events;
    }
}
