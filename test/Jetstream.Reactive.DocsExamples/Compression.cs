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

    public static IObservable<JetstreamEvent> V2()
    {
        // begin-snippet: compression-v2
        var events = JetstreamObservable.Connect(new JetstreamOptions
        {
            Protocol = JetstreamProtocol.V2,
            Compression = JetstreamCompression.Zstd,
            ZstdDictionaryDirectory = Path.Combine(AppContext.BaseDirectory, "jetstream-dictionaries"), // optional
        });
        // end-snippet
        return events;
    }
}
