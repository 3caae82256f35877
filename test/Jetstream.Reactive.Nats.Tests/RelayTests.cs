using Jetstream.Reactive.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using static Jetstream.Reactive.Nats.Tests.Scenario;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>Emulator → relay → real nats-server → workers.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class RelayTests
{
    [Test]
    public async Task Relay_EmulatorToTwoWorkers_EachEventOnceInStreamAndHandledAtLeastOnce(CancellationToken token)
    {
        const int Count = 1_500;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events(0, Count)) }, token);
        await using var relay = StartRelay(nats.Url, RelayOptions(emulator.Uri, "E2E"));

        await using var workerConnection = Connect(nats.Url);
        var recorder = new Recorder();
        var events = JetstreamNats.Consume(workerConnection, ConsumerOptions("E2E", "all"));
        using var a = events.SubscribeAsync((e, _) => { recorder.Record("a", e); return Task.CompletedTask; });
        using var b = events.SubscribeAsync((e, _) => { recorder.Record("b", e); return Task.CompletedTask; });

        var expected = ExpectedIds(0, Count);
        await WaitUntilAsync(() => expected.All(recorder.Handled.ContainsKey), "every event handled", token, () => $"handled {recorder.Handled.Count} of {Count}");

        // The relay counts a publish when its acknowledgement comes back, which may be after a consumer got the message.
        await WaitUntilAsync(() => relay.Relay.Published >= Count, "the relay counted every acknowledgement", token, () => $"published {relay.Relay.Published}");

        var ids = await ReadIdsAsync(workerConnection, "E2E", token);
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(Count), "messages in the stream");
            Assert.That(ids.ToHashSet().SetEquals(expected), Is.True, "the stream holds exactly the emulator's events");
            Assert.That(relay.Relay.Published, Is.EqualTo(Count));
            Assert.That(a.Handled + b.Handled, Is.GreaterThanOrEqualTo(Count));
            Assert.That(recorder.Log.Select(l => l.Worker).Distinct().Count(), Is.EqualTo(2), "both workers of the durable consumer took a share");
        });
    }

    [Test]
    public async Task RunAsync_StreamSubjectsOverlapAnotherStream_FailsWithTheServersReason(CancellationToken token)
    {
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions(), token);
        await using var first = StartRelay(nats.Url, RelayOptions(emulator.Uri, "FIRST"));
        await WaitUntilAsync(() => first.Relay.IsRunning, "the first relay running", token);

        // Same subject prefix, another stream name: the server refuses; waiting would not help.
        await using var second = StartRelay(nats.Url, RelayOptions(emulator.Uri, "SECOND"));
        var e = (await Assert.ThrowsAsync<JetstreamOptionsException>(async () => await second.Task.WaitAsync(TestTimeout, token)))!;
        Assert.That(e.Message, Does.Contain("SECOND").And.Contains("overlap"));
    }

    [Test]
    public async Task Relay_NatsServerDownMidRunThenBack_RetriesAndNothingLostNothingDoubled(CancellationToken token)
    {
        const int Batch = 1_000;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions(), token);
        await using var relay = StartRelay(nats.Url, RelayOptions(emulator.Uri, "DOWN"));
        emulator.Publish(Events(0, Batch));
        await WaitUntilAsync(() => relay.Relay.Published >= Batch, "the first batch stored", token);

        // NATS goes away with events arriving: the relay must hold them (its reader pauses) and send them later.
        nats.Kill();
        emulator.Publish(Events(Batch, Batch));
        await WaitUntilAsync(() => relay.Connection.ConnectionState != NATS.Client.Core.NatsConnectionState.Open, "the relay's connection lost", token);
        await nats.RestartAsync(token);

        await using var check = Connect(nats.Url);
        await WaitUntilAsync(async () => await MessagesAsync(check, "DOWN", token) >= 2 * Batch, "both batches stored", token,
            () => $"published {relay.Relay.Published}, retries {relay.Relay.Retries}");
        var ids = await ReadIdsAsync(check, "DOWN", token);
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(2 * Batch));
            Assert.That(ids.ToHashSet().SetEquals(ExpectedIds(0, 2 * Batch)), Is.True);
        });
    }

    [Test]
    public async Task Relay_BufferFullWhileNatsIsSlower_ReaderPausesAndResumesFromCursorNothingLost(CancellationToken token)
    {
        const int Count = 2_000;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events(0, Count)) }, token);
        var options = RelayOptions(emulator.Uri, "SLOW") with { BufferCapacity = 50, MaxPendingPublishes = 8, ResumeScan = 16 };
        await using var relay = StartRelay(nats.Url, options);
        await using var check = Connect(nats.Url);

        await WaitUntilAsync(() => relay.Relay.Published == Count, "every event published", token, () => $"published {relay.Relay.Published}, connections {emulator.Connections.Count}");
        var ids = await ReadIdsAsync(check, "SLOW", token);
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(Count));
            Assert.That(ids.ToHashSet().SetEquals(ExpectedIds(0, Count)), Is.True);
            Assert.That(emulator.Connections, Has.Count.GreaterThan(1), "the reader stopped and resumed from its cursor at least once");
        });
    }

    [Test]
    public async Task Relay_KilledAndRestartedMidRun_EachEventExactlyOnceInStream(CancellationToken token)
    {
        const int Batch = 1_000;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions(), token);
        await using var check = Connect(nats.Url);
        var options = RelayOptions(emulator.Uri, "RESTART");

        var first = StartRelay(nats.Url, options);
        emulator.Publish(Events(0, Batch));
        await WaitUntilAsync(async () => await MessagesAsync(check, "RESTART", token) >= Batch, "the first batch stored", token);

        // Killed with the second batch arriving: publishes are in flight when its connection goes.
        emulator.Publish(Events(Batch, Batch));
        await WaitUntilAsync(() => first.Relay.Published > Batch, "the relay started on the second batch", token);
        await first.KillAsync();
        var beforeRestart = await MessagesAsync(check, "RESTART", token);
        emulator.Publish(Events(2 * Batch, Batch));

        await using var second = StartRelay(nats.Url, options);
        await WaitUntilAsync(async () => await MessagesAsync(check, "RESTART", token) >= 3 * Batch, "all three batches stored", token,
            () => $"first published {first.Relay.Published}, second published {second.Relay.Published}");

        var ids = await ReadIdsAsync(check, "RESTART", token);
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(3 * Batch), "messages in the stream");
            Assert.That(ids.ToHashSet().SetEquals(ExpectedIds(0, 3 * Batch)), Is.True, "exactly the emulator's events, none twice");
            // The first relay's last acknowledgements may be lost with its connection: stored, but not counted by it.
            Assert.That(first.Relay.Published + second.Relay.Published, Is.InRange(3 * Batch - options.MaxPendingPublishes, 3 * Batch));
            // What was missing when counted, less the first relay's publishes still on the way at its kill: nats-server
            // stores what it had already read from the closed connection a moment later (the loop once counted 1,963
            // stored, then the second relay stored 1,000 and the stream held exactly 3,000).
            Assert.That(second.Relay.Published, Is.InRange(3 * Batch - beforeRestart - options.MaxPendingPublishes, 3 * Batch - beforeRestart), "the second relay stored what was missing, and nothing twice");

            // It resumed at the stream's tail (at most ResumeScan events again), not from the start of the log.
            Assert.That(second.Relay.Skipped + second.Relay.Duplicates, Is.LessThanOrEqualTo(options.ResumeScan + options.MaxPendingPublishes));
            Assert.That(second.Relay.Skipped + second.Relay.Duplicates, Is.GreaterThanOrEqualTo(1), "the inclusive resume replays at least the last stored event");
            Assert.That(beforeRestart, Is.LessThan(3 * Batch));
        });
    }

    [Test]
    public async Task RunAsync_StreamGoneBetweenCheckAndTailRead_RetriedAndRelays(CancellationToken token)
    {
        // A NATS request failing between the stream check and the tail read (here: the stream deleted the moment the
        // relay has created it; in CI, a request timing out on a loaded machine) is transient like any other: before,
        // it ended RunAsync with the error and the relay never started.
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions(), token);
        await using var admin = Connect(nats.Url);
        var js = new NATS.Client.JetStream.NatsJSContext(admin);
        // 1600 NatsStreamCreated: the relay goes on to read the tail right after this returns.
        var hook = new OnceOnRelayLog(1600, async () => await js.DeleteStreamAsync("GONE"));
        var options = RelayOptions(emulator.Uri, "GONE") with { LoggerFactory = hook };
        await using var relay = StartRelay(nats.Url, options);

        await WaitUntilAsync(() => relay.Relay.IsRunning || relay.Task.IsCompleted, "the relay running", token,
            () => $"{relay.Task.Status} {relay.Task.Exception?.GetBaseException().Message}");
        Assert.That(relay.Task.IsCompleted, Is.False, relay.Task.Exception?.GetBaseException().Message);
        Assert.That(hook.Fired, Is.True, "the fault under test happened");

        emulator.Publish(Events(0, 50));
        await WaitUntilAsync(async () => await MessagesAsync(admin, "GONE", token) >= 50, "the events stored in the recreated stream", token);
    }

    [Test]
    public async Task RunAsync_StreamCreatedByAnotherRelayBetweenLookupAndCreate_UsesIt(CancellationToken token)
    {
        // Two relays starting together both find no stream and both create it; nats-server refuses the second create
        // (here "name already in use": the other relay's stream differs in MaxAge; in the CI loop, "subjects overlap",
        // error 10065) although the stream it wants now exists. Before, that refusal stopped the relay as a
        // configuration error.
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions(), token);
        await using var admin = Connect(nats.Url);
        var js = new NATS.Client.JetStream.NatsJSContext(admin);
        var options = RelayOptions(emulator.Uri, "MEANWHILE");
        var other = new NATS.Client.JetStream.Models.StreamConfig("MEANWHILE", [options.Stream.AllSubjects])
        {
            MaxAge = TimeSpan.FromHours(1),
            DuplicateWindow = TimeSpan.FromMinutes(2),
        };

        // 1608 NatsStreamCreating: the relay looked the stream up, found none, and sends its create right after.
        var hook = new OnceOnRelayLog(1608, async () => await js.CreateStreamAsync(other));
        await using var relay = StartRelay(nats.Url, options with { LoggerFactory = hook });

        await WaitUntilAsync(() => relay.Relay.IsRunning || relay.Task.IsCompleted, "the relay running", token,
            () => $"{relay.Task.Status} {relay.Task.Exception?.GetBaseException().Message}");
        Assert.That(relay.Task.IsCompleted, Is.False, relay.Task.Exception?.GetBaseException().Message);
        Assert.That(hook.Fired, Is.True, "the race under test happened");

        emulator.Publish(Events(0, 50));
        await WaitUntilAsync(async () => await MessagesAsync(admin, "MEANWHILE", token) >= 50, "the events stored in the other relay's stream", token);
    }

    /// <summary>
    /// A logger factory that runs <paramref name="act"/> once, synchronously inside the relay's flow, when the relay logs
    /// <paramref name="trigger"/>: a NATS change made at an exact step of the relay's start.
    /// </summary>
    private sealed class OnceOnRelayLog(int trigger, Func<ValueTask> act) : ILoggerFactory, ILogger
    {
        private int _fired;

        public bool Fired => Volatile.Read(ref _fired) == 1;

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == trigger && Interlocked.Exchange(ref _fired, 1) == 0)
            {
                act().AsTask().GetAwaiter().GetResult();
            }
        }
    }

    [Test]
    public async Task Relay_TwoRelaysActiveActiveOnTwoHosts_OneCopyOfEachEvent(CancellationToken token)
    {
        const int Count = 1_500;
        await using var nats = await NatsServer.StartAsync(token);
        await using var hostA = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions(), token);
        await using var hostB = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions(), token);
        await using var check = Connect(nats.Url);

        await using var relayA = StartRelay(nats.Url, RelayOptions(hostA.Uri, "AA"));
        await using var relayB = StartRelay(nats.Url, RelayOptions(hostB.Uri, "AA"));
        await WaitUntilAsync(() => relayA.Relay.IsRunning && relayB.Relay.IsRunning, "both relays running", token,
            () => $"A {relayA.Task.Status} {relayA.Task.Exception?.GetBaseException().Message}, B {relayB.Task.Status} {relayB.Task.Exception?.GetBaseException().Message}");

        // The same commits reach both hosts at different moments, so each host stamps its own time_us and cursor.
        for (var i = 0; i < Count; i += 100)
        {
            hostA.Publish(Events(i, 100));
            hostB.Publish(Events(i, 100));
        }

        await WaitUntilAsync(
            () => relayA.Relay.Published + relayA.Relay.Duplicates == Count && relayB.Relay.Published + relayB.Relay.Duplicates == Count,
            "both relays acknowledged every event", token,
            () => $"A {relayA.Relay.Published}+{relayA.Relay.Duplicates} ({relayA.Task.Status} {relayA.Task.Exception?.GetBaseException().Message}), B {relayB.Relay.Published}+{relayB.Relay.Duplicates} ({relayB.Task.Status} {relayB.Task.Exception?.GetBaseException().Message})");

        var ids = await ReadIdsAsync(check, "AA", token);
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(Count));
            Assert.That(ids.ToHashSet().SetEquals(ExpectedIds(0, Count)), Is.True);
            Assert.That(relayA.Relay.Published + relayB.Relay.Published, Is.EqualTo(Count), "first copies");
            Assert.That(relayA.Relay.Duplicates + relayB.Relay.Duplicates, Is.EqualTo(Count), "second copies dropped by the server");
        });
    }
}
