using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json;
using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Testing;

namespace Jetstream.Reactive.IntegrationTests.Archive;

/// <summary>An emulator with archive history plus a client backfill against it, with real loopback sockets.</summary>
internal static class BackfillFixture
{
    public static Task<JetstreamTestServer> StartAsync(CancellationToken token, int eventsPerBlock = 8, int planMaxEntries = 100_000, int retained = 1_000_000, string? apiKey = null) =>
        JetstreamTestServer.StartAsync(
            new JetstreamTestServerOptions
            {
                Mode = EmulatorMode.Live,
                ArchiveEventsPerBlock = eventsPerBlock,
                ArchivePlanMaxEntries = planMaxEntries,
                RetainedEvents = retained,
                ArchiveApiKey = apiKey,
                PingInterval = Timeout.InfiniteTimeSpan,
            },
            token).WaitAsync(Reliability.FaultSuite.Deadline, token);

    /// <summary>Publishes real events <paramref name="from"/>.. (cycling through the corpus) and returns their JSON.</summary>
    public static string[] Publish(JetstreamTestServer server, int count)
    {
        var lines = Enumerable.Range(0, count).Select(i => Corpus.RealLines[(int)((server.NextSeq - 1 + i) % Corpus.RealLines.Count)]).ToArray();
        server.Publish(lines);
        return lines;
    }

    public static JetstreamBackfillOptions Options(JetstreamTestServer server, Func<JetstreamOptions, JetstreamOptions>? live = null) =>
        new(live?.Invoke(Live(server)) ?? Live(server))
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(20),
            DownloadConcurrency = 4,
            RequestTimeout = TimeSpan.FromSeconds(20),
        };

    private static JetstreamOptions Live(JetstreamTestServer server) => new()
    {
        Protocol = JetstreamProtocol.V2,
        Endpoint = server.Uri,
        Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(100) },
    };

    /// <summary>Collects events until one with seq <paramref name="through"/> (or later) arrives, or the stream ends.</summary>
    public static async Task<List<JetstreamEvent>> CollectAsync(IObservable<JetstreamEvent> stream, long through, CancellationToken token) =>
        [.. await stream.TakeUntil(e => e.Cursor >= through).ToList().ToTask(token).WaitAsync(TimeSpan.FromSeconds(25), token)];

    /// <summary>The kind and collection of a published v1 line.</summary>
    public static (string Kind, string? Collection, string Did) Describe(string line)
    {
        var e = JsonElement.Parse(line);
        var kind = e.GetProperty("kind").GetString()!;
        return (kind, kind == "commit" ? e.GetProperty("commit").GetProperty("collection").GetString() : null, e.GetProperty("did").GetString()!);
    }
}
