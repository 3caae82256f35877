using System.Reactive.Concurrency;
using Jetstream.Reactive.Transport;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/configuration.md.</summary>
internal static class Configuration
{
    public static IObservable<JetstreamEvent> ManyOptions(ILoggerFactory loggerFactory)
    {
        // begin-snippet: configuration
        var options = new JetstreamOptions
        {
            Endpoint = new Uri("wss://jetstream1.us-west.bsky.network"),
            WantedCollections = ["app.bsky.feed.post", "app.bsky.graph.*"],
            WantedDids = ["did:plc:q6gjnaw2blty4crticxkmujt"],
            BufferCapacity = 50_000,
            Backoff = BackoffPolicy.Default with { MaxDelay = TimeSpan.FromSeconds(10) },
            KeepAliveInterval = TimeSpan.FromSeconds(15), // dead-peer pings; a filtered stream is never dropped for silence
            MaxMessageSize = 8 * 1024 * 1024,
            LoggerFactory = loggerFactory,
        };

        IObservable<JetstreamEvent> events = JetstreamObservable.Connect(options); // validates the options now
        // end-snippet
        return events;
    }

    public static void Validation()
    {
        // begin-snippet: configuration-validation
        try
        {
            _ = JetstreamObservable.Connect(new JetstreamOptions { WantedCollections = ["*"], BufferCapacity = 0 });
        }
        catch (JetstreamOptionsException ex)
        {
            foreach (var error in ex.Errors)
            {
                Console.Error.WriteLine(error);
            }
        }
        // end-snippet
    }

    public static void ValidationPaths()
    {
        // begin-snippet: configuration-validation-paths
        try
        {
            new JetstreamOptions { Endpoints = [new Uri("wss://one.example"), new Uri("http://two.example")] }.Validate();
        }
        catch (JetstreamOptionsException ex)
        {
            foreach (var error in ex.OptionErrors)
            {
                // Path "Endpoints[1]"; name it as your settings do (here a configuration key).
                var key = "Jetstream:" + error.Path.Replace("[", ":", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Replace('.', ':');
                Console.Error.WriteLine(error.NameAs(key));
            }
        }
        // end-snippet
    }

    public static void BackoffSchedule()
    {
        // begin-snippet: backoff-schedule
        var policy = BackoffPolicy.Default;
        for (var retry = 0; retry < 9; retry++)
        {
            // GetDelay is a pure function: random 0 gives the longest delay, random 1 the shortest.
            Console.WriteLine($"retry {retry + 1}: {policy.GetDelay(retry, 1).TotalSeconds:0.###}–{policy.GetDelay(retry, 0).TotalSeconds:0.###} s");
        }
        // end-snippet
    }

    public static JetstreamOptions LocalServer()
    {
        // begin-snippet: local-endpoint
        var options = new JetstreamOptions
        {
            Endpoint = new Uri("ws://127.0.0.1:6008"), // an empty path means /subscribe
            IdleTimeout = Timeout.InfiniteTimeSpan,    // a quiet local server is not a dead one
            Backoff = new BackoffPolicy
            {
                InitialDelay = TimeSpan.FromMilliseconds(50),
                MaxDelay = TimeSpan.FromSeconds(2),
                Jitter = 0,
            },
        };
        // end-snippet
        return options;
    }

    public static JetstreamOptions CustomTransport(IScheduler scheduler)
    {
        // begin-snippet: transport
        // Create it once and share it: it owns an HTTP handler (dispose it when the app stops).
        var transport = new ClientWebSocketTransport(
            keepAliveInterval: TimeSpan.FromSeconds(15),
            keepAliveTimeout: TimeSpan.FromSeconds(5));

        var options = new JetstreamOptions { Transport = transport, Scheduler = scheduler };
        // end-snippet
        return options;
    }
}
