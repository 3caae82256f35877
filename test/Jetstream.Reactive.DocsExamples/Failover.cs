namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/reconnection-and-cursors.md, failover.</summary>
internal static class Failover
{
    public static JetstreamOptions Hosts()
    {
        // begin-snippet: failover
        var options = new JetstreamOptions
        {
            Endpoints =
            [
                new Uri("wss://jetstream1.us-east.bsky.network"),
                new Uri("wss://jetstream2.us-east.bsky.network"),
                new Uri("wss://jetstream1.us-west.bsky.network"),
            ],
            FailoverAfterAttempts = 3,                 // failed attempts in a row on one host
            FailoverRewind = TimeSpan.FromSeconds(30), // hosts' clocks and replays differ: ask for a little more
            FailoverDedupeCapacity = 200_000,          // enough to recognise 30 s of the full firehose
        };
        // end-snippet
        return options;
    }
}
