using Jetstream.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Nats.Tests.Scenario;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>Workers on durable consumers: crashes, partitions, failures.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class WorkerTests
{
    [Test]
    public async Task Consume_WorkerKilledMidRun_ItsUnackedMessagesRedeliveredToTheOther(CancellationToken token)
    {
        const int Count = 1_000;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events(0, Count)) }, token);
        await using var relay = StartRelay(nats.Url, RelayOptions(emulator.Uri, "KILL"));
        await using var check = Connect(nats.Url);
        await WaitUntilAsync(async () => await MessagesAsync(check, "KILL", token) >= Count, "the stream filled", token);

        var recorder = new Recorder();
        var doomedConnection = Connect(nats.Url);
        var stuck = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var doomedHandled = 0;
        var doomed = JetstreamNats.Consume(doomedConnection, ConsumerOptions("KILL", "shared")).SubscribeAsync(async (e, ct) =>
        {
            if (Interlocked.Increment(ref doomedHandled) == 50)
            {
                // The worker hangs on this message, then its process dies: it never acknowledges it.
                stuck.TrySetResult(JetstreamNatsSubjects.MessageIdOf(e));
                await Task.Delay(Timeout.Infinite, ct);
            }

            recorder.Record("doomed", e);
        });
        var stuckId = await stuck.Task.WaitAsync(TestTimeout, token);
        await doomedConnection.DisposeAsync();
        doomed.Dispose();

        await using var survivorConnection = Connect(nats.Url);
        using var survivor = JetstreamNats.Consume(survivorConnection, ConsumerOptions("KILL", "shared"))
            .SubscribeAsync((e, _) => { recorder.Record("survivor", e); return Task.CompletedTask; });

        var expected = ExpectedIds(0, Count);
        await WaitUntilAsync(() => expected.All(recorder.Handled.ContainsKey), "every event handled", token, () => $"handled {recorder.Handled.Count} of {Count}");
        Assert.Multiple(() =>
        {
            Assert.That(recorder.Log.Any(l => l.Worker == "survivor" && JetstreamNatsSubjects.MessageIdOf(l.Event) == stuckId), Is.True, "the message the dead worker held was handled by the survivor");
            Assert.That(recorder.Log.Count(l => l.Worker == "doomed"), Is.EqualTo(49));
        });
    }

    [Test]
    public async Task Consume_ThreeWorkersOnePartitionEach_EachDidOnOneWorkerInOrder(CancellationToken token)
    {
        const int Count = 1_500;
        const int Partitions = 3;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events(0, Count)) }, token);
        await using var relay = StartRelay(nats.Url, RelayOptions(emulator.Uri, "PART", partitions: Partitions));
        await using var connection = Connect(nats.Url);

        var recorder = new Recorder();
        var workers = Enumerable.Range(0, Partitions).Select(p =>
        {
            var name = "w" + p;
            var options = ConsumerOptions("PART", "part-" + p, Partitions) with { Partitions = [p] };
            return JetstreamNats.Consume(connection, options).SubscribeAsync(async (e, _) =>
            {
                // Uneven handling times, so the workers interleave.
                if (NumberOf(e) % (p + 2) == 0)
                {
                    await Task.Yield();
                }

                recorder.Record(name, e);
            });
        }).ToList();

        var expected = ExpectedIds(0, Count);
        await WaitUntilAsync(() => expected.All(recorder.Handled.ContainsKey), "every event handled", token, () => $"handled {recorder.Handled.Count} of {Count}");
        foreach (var w in workers)
        {
            w.Dispose();
        }

        var byDid = recorder.Log.GroupBy(l => l.Event.Did).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(byDid, Has.Count.EqualTo(40));
            foreach (var did in byDid)
            {
                Assert.That(did.Select(l => l.Worker).Distinct().Count(), Is.EqualTo(1), $"{did.Key} handled by one worker");
                var numbers = did.Select(l => NumberOf(l.Event)).ToList();
                Assert.That(numbers, Is.Ordered.Ascending, $"{did.Key} in order");
            }

            Assert.That(recorder.Log.Select(l => l.Worker).Distinct().Count(), Is.EqualTo(Partitions), "every worker had a share");
            Assert.That(recorder.Handled.Values.All(n => n == 1), Is.True, "no redelivery in a clean run");
        });
    }

    [Test]
    public async Task Consume_HandlerFails_NakRedeliversAndTerminateDropsPerPolicy(CancellationToken token)
    {
        const int Count = 200;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events(0, Count)) }, token);
        await using var relay = StartRelay(nats.Url, RelayOptions(emulator.Uri, "FAIL"));
        await using var connection = Connect(nats.Url);

        // Each event's first delivery fails; with Nak it comes back and succeeds.
        var attempts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var nakRecorder = new Recorder();
        using var nak = JetstreamNats.Consume(connection, ConsumerOptions("FAIL", "nak") with { NakDelay = TimeSpan.FromMilliseconds(10) })
            .SubscribeAsync((e, _) =>
            {
                if (attempts.AddOrUpdate(JetstreamNatsSubjects.MessageIdOf(e), 1, (_, n) => n + 1) == 1)
                {
                    throw new InvalidOperationException("first try fails");
                }

                nakRecorder.Record("nak", e);
                return Task.CompletedTask;
            });

        // With Terminate a failed message never comes back.
        var termCalls = 0;
        using var term = JetstreamNats.Consume(connection, ConsumerOptions("FAIL", "term") with { OnHandlerError = JetstreamNatsHandlerFailure.Terminate })
            .SubscribeAsync((e, _) =>
            {
                Interlocked.Increment(ref termCalls);
                throw new InvalidOperationException("always fails");
            });

        var expected = ExpectedIds(0, Count);
        await WaitUntilAsync(() => expected.All(nakRecorder.Handled.ContainsKey), "every event handled after its nak", token, () => $"handled {nakRecorder.Handled.Count}");
        await WaitUntilAsync(() => term.Failed == Count, "every event failed once on the terminating consumer", token, () => $"failed {term.Failed}");
        Assert.Multiple(() =>
        {
            Assert.That(nak.Failed, Is.EqualTo(Count));
            Assert.That(nak.Handled, Is.EqualTo(Count));
            Assert.That(attempts.Values.All(n => n == 2), Is.True, "each event delivered exactly twice under Nak");
            Assert.That(termCalls, Is.EqualTo(Count), "terminated messages are not delivered again (checked after AckWait below)");
        });

        // Past AckWait (2 s) nothing came back to the terminating consumer.
        var before = Volatile.Read(ref termCalls);
        await Task.Delay(TimeSpan.FromSeconds(2.5), token);
        Assert.That(Volatile.Read(ref termCalls), Is.EqualTo(before));
    }
}
