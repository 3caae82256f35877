using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Jetstream.Reactive.Nats;
using Jetstream.Reactive.Testing;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// <c>nats [--events N] [--no-write] [--smoke]</c>: the scale-out relay and consumer against a real nats-server on
/// loopback, each side by side in the same run with NATS.Net's own bare async publish / consume of the same messages
/// (the ceiling). Writes its section of docs/benchmarks.md (between the nats markers) unless told not to. Every run
/// checks its counts against the server (each stream holds exactly the events published, the relay stored each once,
/// each consumer got every event and left nothing pending) and exits non-zero when they do not add up; <c>--smoke</c>
/// (CI) is a small run (2,000 events by default) that writes nothing.
/// </summary>
internal static class NatsBench
{
    public const string Begin = "<!-- nats:begin -->";
    public const string End = "<!-- nats:end -->";

    private const int Window = 256;

    /// <summary>How long any one side may take before the run fails (a lost message must not hang CI).</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(1);

    public static async Task<int> RunAsync(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var events = Option(args, "--events") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : smoke ? 2_000 : 100_000;
        var write = !smoke && !args.Contains("--no-write");
        var warm = Math.Min(smoke ? 500 : 5_000, events);
        var binary = Environment.GetEnvironmentVariable("NATS_SERVER") is { Length: > 0 } p ? p : "nats-server";
        var store = Path.Combine(Path.GetTempPath(), "jr-bench-nats-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(store);
        var port = FreePort();
        Process server;
        try
        {
            server = Process.Start(new ProcessStartInfo(binary, ["-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-js", "-sd", store]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine("nats: nats-server is not installed (Debian/Ubuntu: apt-get install nats-server)");
            return 2;
        }

        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var url = $"nats://127.0.0.1:{port}";
            await using var connection = new NatsConnection(new NatsOpts { Url = url });
            await WaitForJetStreamAsync(connection, server);
            var version = connection.ServerInfo?.Version ?? "?";
            var corpus = Enumerable.Range(0, events).Select(Event).ToArray();
            var bytes = corpus.Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e)).ToArray();
            var avg = bytes.Average(b => b.Length);

            // One untimed pass of each, then the timed ones.
            await RelayAsync(connection, corpus.Take(warm).ToArray(), "WARM1");
            await BarePublishAsync(connection, bytes.Take(warm).ToArray(), "WARM2");

            Console.Error.WriteLine("nats: warmed up; timing bare publish");
            var bare = await BarePublishAsync(connection, bytes, "BARE");
            Console.Error.WriteLine("nats: timing relay");
            var relay = await RelayAsync(connection, corpus, "RELAY");
            Console.Error.WriteLine("nats: timing bare consume");
            var bareConsume = await BareConsumeAsync(connection, "BARE", events);
            Console.Error.WriteLine("nats: timing consumer");
            var consume = await ConsumeAsync(connection, "RELAY", events);

            var failures = await CountFailuresAsync(connection, events);
            var table = new StringBuilder();
            table.AppendLine("| side | events/s | CPU µs/event | allocated B/event | of the bare ceiling |");
            table.AppendLine("|---|---:|---:|---:|---:|");
            table.AppendLine(Row(bare, bare));
            table.AppendLine(Row(relay, bare));
            table.AppendLine(Row(bareConsume, bareConsume));
            table.AppendLine(Row(consume, bareConsume));
            Console.WriteLine(table);
            var relayRatio = relay.EventsPerSecond / bare.EventsPerSecond;
            var consumeRatio = consume.EventsPerSecond / bareConsume.EventsPerSecond;
            Console.WriteLine($"relay {relayRatio:P0} of bare publish (target 60 %): {(relayRatio >= 0.6 ? "met" : "MISSED")}");
            Console.WriteLine($"consumer {consumeRatio:P0} of bare consume (target 60 %): {(consumeRatio >= 0.6 ? "met" : "MISSED")}");

            foreach (var failure in failures)
            {
                Console.Error.WriteLine("nats: FAILED: " + failure);
            }

            if (failures.Count > 0)
            {
                return 1;
            }

            Console.WriteLine($"nats: counts add up: BARE and RELAY streams hold {events:N0} messages each, the relay stored each event once, both consumers got {events:N0} and left none pending");
            if (write && FindRoot() is { } root)
            {
                var section = Section(table.ToString(), events, avg, version, relayRatio, consumeRatio);
                var path = Path.Combine(root, "docs", "benchmarks.md");
                await File.WriteAllTextAsync(path, Replace(await File.ReadAllTextAsync(path), section));
                Console.WriteLine("Wrote the NATS section of docs/benchmarks.md");
            }

            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // A count that does not add up, or a side that never finished: one clear line, a failing exit code.
            Console.Error.WriteLine("nats: FAILED: " + e.Message);
            return 1;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
            Directory.Delete(store, recursive: true);
        }
    }

    /// <summary>Keeps the NATS section of the page when the e2e harness rewrites the rest of it.</summary>
    public static string Preserve(string? oldPage, string newPage)
    {
        if (oldPage is null)
        {
            return newPage;
        }

        var begin = oldPage.IndexOf(Begin, StringComparison.Ordinal);
        var end = oldPage.IndexOf(End, StringComparison.Ordinal);
        return begin < 0 || end < begin ? newPage : newPage.TrimEnd('\n') + "\n\n" + oldPage[begin..(end + End.Length)] + "\n";
    }

    private static string Replace(string page, string section)
    {
        var begin = page.IndexOf(Begin, StringComparison.Ordinal);
        var end = page.IndexOf(End, StringComparison.Ordinal);
        return begin < 0 || end < begin
            ? page.TrimEnd('\n') + "\n\n" + section + "\n"
            : string.Concat(page.AsSpan(0, begin), section, page.AsSpan(end + End.Length));
    }

    private static string Section(string table, int events, double avg, string version, double relayRatio, double consumeRatio) =>
        $"""
        {Begin}
        ## Scale-out through NATS JetStream

        Written by `dotnet run -c Release --project test/Jetstream.Reactive.Benchmarks -- nats --events {events}`; needs `nats-server` on PATH.

        One process, one nats-server {version} on loopback (JetStream, file storage, one replica), {Environment.ProcessorCount} cores, load average {LoadAverage()} at the start. {events:N0} events of {avg:F0} B on average.
        Each side is timed after an untimed warm-up, in the same run as its ceiling:

        - `bare publish`: NATS.Net's `PublishAsync` of the same payloads with a message id and the same three headers, {Window} acknowledgements outstanding at most: the ceiling for the relay.
        - `relay`: `JetstreamNatsRelay` from the in-process emulator (replaying the events over a loopback WebSocket) into the stream, every publish acknowledged, {Window} outstanding at most. Its CPU includes the emulator's sending side, in the same process.
        - `bare consume`: NATS.Net's `ConsumeAsync` on a durable pull consumer, acknowledging each message: the ceiling for the consumer.
        - `consumer`: `JetstreamNats.Consume(...).SubscribeAsync(...)`, decoding each message with the library's decoder and acknowledging it after the (empty) handler.

        CPU is this process's user + system time per event (nats-server's own is not counted); allocation is the managed bytes allocated per event.

        {table}
        Relay: {relayRatio:P0} of the bare publish ceiling; consumer: {consumeRatio:P0} of the bare consume ceiling (targets: 60 % each).
        {End}
        """.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static string Row(Result r, Result ceiling) =>
        $"| {r.Name} | {r.EventsPerSecond:N0} | {r.CpuMicrosPerEvent:F2} | {r.AllocatedPerEvent:N0} | {r.EventsPerSecond / ceiling.EventsPerSecond:P0} |";

    private static async Task<Result> RelayAsync(NatsConnection connection, string[] corpus, string stream)
    {
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(corpus) });
        var relay = new JetstreamNatsRelay(connection, new JetstreamNatsRelayOptions
        {
            Source = new JetstreamOptions { Endpoint = emulator.Uri },
            Stream = new JetstreamNatsStreamOptions { Name = stream, SubjectPrefix = stream.ToLowerInvariant() },
            MaxPendingPublishes = Window,
        });
        using var stop = new CancellationTokenSource();
        var meter = Meter.Start();
        var run = relay.RunAsync(stop.Token);
        var deadline = Stopwatch.StartNew();
        while (relay.Published + relay.Duplicates < corpus.Length)
        {
            if (deadline.Elapsed > Deadline)
            {
                throw new TimeoutException($"the relay published {relay.Published:N0} (+{relay.Duplicates:N0} duplicates) of {corpus.Length:N0} events within {Deadline.TotalSeconds:F0} s");
            }

            if (run.IsCompleted)
            {
                await run;
                throw new InvalidOperationException("the relay stopped early");
            }

            await Task.Delay(1);
        }

        var result = meter.Stop("relay", corpus.Length);
        await stop.CancelAsync();
        await run;
        if (relay.Published != corpus.Length || relay.Duplicates != 0 || relay.Skipped != 0)
        {
            throw new InvalidOperationException($"relay into {stream}: {relay.Published:N0} stored, {relay.Duplicates:N0} duplicates, {relay.Skipped:N0} skipped; expected each of the {corpus.Length:N0} events stored once");
        }

        return result;
    }

    private static async Task<Result> BarePublishAsync(NatsConnection connection, ReadOnlyMemory<byte>[] payloads, string stream)
    {
        var js = new NatsJSContext(connection);
        await js.CreateStreamAsync(new StreamConfig(stream, [stream.ToLowerInvariant() + ".>"]) { DuplicateWindow = TimeSpan.FromMinutes(10), Storage = StreamConfigStorage.File });
        var pending = new Queue<Task<PubAckResponse>>(Window);
        var meter = Meter.Start();
        for (var i = 0; i < payloads.Length; i++)
        {
            if (pending.Count == Window)
            {
                (await pending.Dequeue()).EnsureSuccess();
            }

            var headers = new NatsHeaders { ["Jetstream-Cursor"] = "1", ["Jetstream-Host"] = "127.0.0.1:1", ["Jetstream-Time-Us"] = "1" };
            pending.Enqueue(js.PublishAsync(stream.ToLowerInvariant() + ".0.commit.app.bsky.feed.post", payloads[i], opts: new NatsJSPubOpts { MsgId = "m" + i.ToString(CultureInfo.InvariantCulture) }, headers: headers).AsTask());
        }

        while (pending.Count > 0)
        {
            (await pending.Dequeue()).EnsureSuccess();
        }

        return meter.Stop("bare publish", payloads.Length);
    }

    private static async Task<Result> BareConsumeAsync(NatsConnection connection, string stream, int count)
    {
        var js = new NatsJSContext(connection);
        var consumer = await js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig("bare") { AckPolicy = ConsumerConfigAckPolicy.Explicit, MaxAckPending = 1_000 });
        var meter = Meter.Start();
        var n = 0;
        using var timeout = new CancellationTokenSource(Deadline);
        await foreach (var msg in consumer.ConsumeAsync<NatsMemoryOwner<byte>>(opts: new NatsJSConsumeOpts { MaxMsgs = 256 }, cancellationToken: timeout.Token))
        {
            msg.Data.Dispose();
            await msg.AckAsync();
            if (++n == count)
            {
                break;
            }
        }

        return meter.Stop("bare consume", count);
    }

    private static async Task<Result> ConsumeAsync(NatsConnection connection, string stream, int count)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var n = 0;
        var meter = Meter.Start();
        using (JetstreamNats.Consume(connection, new JetstreamNatsConsumerOptions { Stream = new JetstreamNatsStreamOptions { Name = stream, SubjectPrefix = stream.ToLowerInvariant() }, ConsumerName = "bench", MaxAckPending = 1_000, BatchSize = 256 })
            .SubscribeAsync((_, _) =>
            {
                if (++n == count)
                {
                    done.TrySetResult();
                }

                return Task.CompletedTask;
            }))
        {
            try
            {
                await done.Task.WaitAsync(Deadline);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the consumer handled {Volatile.Read(ref n):N0} of {count:N0} events within {Deadline.TotalSeconds:F0} s");
            }

            return meter.Stop("consumer", count);
        }
    }

    /// <summary>
    /// The counts as the server sees them: each timed stream holds exactly the events published to it, and each
    /// consumer has nothing left pending or unacknowledged after taking <paramref name="events"/> messages.
    /// </summary>
    private static async Task<List<string>> CountFailuresAsync(NatsConnection connection, int events)
    {
        var js = new NatsJSContext(connection);
        var failures = new List<string>();
        foreach (var name in new[] { "BARE", "RELAY" })
        {
            var stream = await js.GetStreamAsync(name);
            if (stream.Info.State.Messages != events)
            {
                failures.Add($"stream {name} holds {stream.Info.State.Messages:N0} messages, expected {events:N0}");
            }
        }

        foreach (var (stream, consumerName) in new[] { ("BARE", "bare"), ("RELAY", "bench") })
        {
            // Acks are sent without waiting for the server; give the last ones a moment to land.
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var info = (await js.GetConsumerAsync(stream, consumerName)).Info;
                if (info.NumPending == 0 && info.NumAckPending == 0)
                {
                    break;
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(10))
                {
                    failures.Add($"consumer {consumerName} on {stream}: {info.NumPending:N0} messages never delivered and {info.NumAckPending:N0} unacknowledged after taking {events:N0}");
                    break;
                }

                await Task.Delay(50);
            }
        }

        return failures;
    }

    private static string Event(int i) =>
        TestEvents.Commit(
            "app.bsky.feed.post",
            rkey: "3l" + i.ToString("D11", CultureInfo.InvariantCulture),
            record: $$"""{"$type":"app.bsky.feed.post","createdAt":"2026-07-04T14:00:00.000Z","langs":["en"],"text":"{{new string('x', 160 + (i % 80))}} {{i}}"}""",
            did: "did:plc:" + (i % 5_000).ToString("D24", CultureInfo.InvariantCulture),
            rev: "3l" + i.ToString("D11", CultureInfo.InvariantCulture));

    private static async Task WaitForJetStreamAsync(NatsConnection connection, Process server)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"nats-server exited with code {server.ExitCode}");
            }

            try
            {
                await connection.ConnectAsync();
                await new NatsJSContext(connection).GetAccountInfoAsync();
                return;
            }
            catch (Exception) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Jetstream.Reactive.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private sealed record Result(string Name, double EventsPerSecond, double CpuMicrosPerEvent, double AllocatedPerEvent);

    private sealed class Meter
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly long _allocated = GC.GetTotalAllocatedBytes(precise: true);

        public static Meter Start() => new();

        public Result Stop(string name, int count)
        {
            var elapsed = _clock.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - _cpu).TotalMicroseconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocated;
            return new Result(name, count / elapsed, cpu / count, (double)allocated / count);
        }
    }
}
