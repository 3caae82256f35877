using System.Collections.Concurrent;
using System.Globalization;
using Jetstream.Reactive.Testing;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>Events, relays and checks shared by the NATS tests.</summary>
internal static class Scenario
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Event <paramref name="i"/> of a deterministic corpus: commits (posts and likes) by <paramref name="dids"/>
    /// repositories, with an identity and an account event now and then. Each carries its number <c>n</c>, increasing
    /// per repository, so order per DID can be checked.
    /// </summary>
    public static string Event(long i, int dids = 40)
    {
        var did = Did(i, dids);
        return (i % 97) switch
        {
            13 => TestEvents.Identity(did: did, handle: $"h{i}.test", seq: 1_000_000 + i),
            51 => TestEvents.Account(did: did, active: true, seq: 1_000_000 + i),
            _ => TestEvents.Commit(
                i % 3 == 0 ? "app.bsky.feed.like" : "app.bsky.feed.post",
                rkey: "r" + i.ToString(CultureInfo.InvariantCulture),
                record: $$"""{"$type":"app.bsky.feed.post","text":"event {{i}}","n":{{i}}}""",
                did: did,
                rev: "3l" + i.ToString("D11", CultureInfo.InvariantCulture)),
        };
    }

    public static string Did(long i, int dids = 40) => "did:plc:worker" + (i % dids).ToString("D4", CultureInfo.InvariantCulture);

    public static string[] Events(long from, long count, int dids = 40) =>
        Enumerable.Range(0, (int)count).Select(k => Event(from + k, dids)).ToArray();

    /// <summary>The event's number: <c>n</c> of a commit's record, the upstream seq minus 1,000,000 otherwise.</summary>
    public static long NumberOf(JetstreamEvent e) => e switch
    {
        CommitEvent c when c.Commit.Record is { } r => r.GetProperty("n").GetInt64(),
        IdentityEvent id => id.Seq - 1_000_000,
        AccountEvent a => a.Seq - 1_000_000,
        _ => throw new InvalidOperationException("unexpected event " + e),
    };

    public static NatsConnection Connect(string url) =>
        new(new NatsOpts { Url = url, Name = "jr-test", ConnectTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(5) });

    public static JetstreamNatsRelayOptions RelayOptions(Uri emulator, string stream, int partitions = 4, int replicas = 1) => new()
    {
        Source = new JetstreamOptions
        {
            Endpoint = emulator,
            LoggerFactory = TestLog.Factory,
            Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(500) },
        },
        Stream = new JetstreamNatsStreamOptions { Name = stream, Partitions = partitions, Replicas = replicas, Storage = StreamConfigStorage.File },
        Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(500) },
        PublishTimeout = TimeSpan.FromSeconds(2),
        MaxPendingPublishes = 64,
        LoggerFactory = TestLog.Factory,
        ResumeScan = 256,
    };

    public static JetstreamNatsConsumerOptions ConsumerOptions(string stream, string consumer, int partitions = 4) => new()
    {
        Stream = new JetstreamNatsStreamOptions { Name = stream, Partitions = partitions },
        ConsumerName = consumer,
        AckWait = TimeSpan.FromSeconds(2),
        NakDelay = TimeSpan.FromMilliseconds(100),
        Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(500) },
    };

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, CancellationToken token, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + TestTimeout;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {TestTimeout}: {what}.{(state is null ? "" : " " + state())}");
            }

            await Task.Delay(20, token).ConfigureAwait(false);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken token, Func<string>? state = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, token, state);

    public static async Task<long> MessagesAsync(INatsConnection connection, string stream, CancellationToken token)
    {
        try
        {
            var s = await new NatsJSContext(connection).GetStreamAsync(stream, cancellationToken: token).ConfigureAwait(false);
            return s.Info.State.Messages;
        }
        catch (NatsJSApiException)
        {
            return 0;
        }
    }

    /// <summary>Every message id in the stream, in stream order, read with an ordered consumer.</summary>
    public static async Task<List<string>> ReadIdsAsync(INatsConnection connection, string stream, CancellationToken token)
    {
        var js = new NatsJSContext(connection);
        var info = (await js.GetStreamAsync(stream, cancellationToken: token).ConfigureAwait(false)).Info.State;
        var ids = new List<string>();
        if (info.Messages == 0)
        {
            return ids;
        }

        var consumer = await js.CreateOrderedConsumerAsync(stream, cancellationToken: token).ConfigureAwait(false);
        await foreach (var msg in consumer.ConsumeAsync<NatsMemoryOwner<byte>>(cancellationToken: token).ConfigureAwait(false))
        {
            msg.Data.Dispose();
            ids.Add(msg.Headers?["Nats-Msg-Id"].ToString() ?? "(none)");
            if (msg.Metadata?.Sequence.Stream >= info.LastSeq)
            {
                break;
            }
        }

        return ids;
    }

    /// <summary>The message ids of <paramref name="count"/> corpus events starting at <paramref name="from"/>, as the relay computes them.</summary>
    public static HashSet<string> ExpectedIds(long from, long count, int dids = 40) =>
        Events(from, count, dids).Select(json => JetstreamNatsSubjects.MessageIdOf(JetstreamEventDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(json)).Event!)).ToHashSet();

    /// <summary>Starts a relay on its own connection; returns it with the handles to stop it.</summary>
    public static RelayRun StartRelay(string natsUrl, JetstreamNatsRelayOptions options)
    {
        var connection = Connect(natsUrl);
        var relay = new JetstreamNatsRelay(connection, options);
        var stop = new CancellationTokenSource();
        var task = relay.RunAsync(stop.Token);
        return new RelayRun(relay, connection, stop, task);
    }

    /// <summary>A handler that records each event it handled, per worker.</summary>
    public sealed class Recorder
    {
        public ConcurrentDictionary<string, int> Handled { get; } = new();

        public ConcurrentQueue<(string Worker, JetstreamEvent Event)> Log { get; } = new();

        public void Record(string worker, JetstreamEvent e)
        {
            Handled.AddOrUpdate(JetstreamNatsSubjects.MessageIdOf(e), 1, (_, n) => n + 1);
            Log.Enqueue((worker, e));
        }
    }
}

/// <summary>A running relay.</summary>
internal sealed record RelayRun(JetstreamNatsRelay Relay, NatsConnection Connection, CancellationTokenSource Stop, Task Task) : IAsyncDisposable
{
    /// <summary>Stops the relay abruptly: the connection goes first, with publishes in flight, then the loop.</summary>
    public async Task KillAsync()
    {
        await Connection.DisposeAsync().ConfigureAwait(false);
        await Stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            // A killed relay may end with any error; only that it ended matters.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not TimeoutException)
        {
        }

        await Connection.DisposeAsync().ConfigureAwait(false);
        Stop.Dispose();
    }
}
