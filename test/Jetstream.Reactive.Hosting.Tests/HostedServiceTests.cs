using Jetstream.Reactive.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using System.Diagnostics.Metrics;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>The hosted consumer against the emulator over loopback sockets. Every wait has a deadline.</summary>
[CancelAfter(120_000)]
public sealed class HostedServiceTests
{
    private static Task<JetstreamTestServer> ServerAsync(int events, CancellationToken token, FaultPlan? faults = null) =>
        JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(TestHosts.Post, events),
            Faults = faults ?? new FaultPlan(),
        }, token);

    private static async Task<JetstreamCursor?> SavedAsync(string path, CancellationToken token) => await new FileCursorStore(path).LoadAsync(token);

    [Test]
    public async Task Host_StartReceiveStop_EveryEventHandledAndCursorFileHoldsTheLast(CancellationToken token)
    {
        await using var server = await ServerAsync(50, token);
        var file = TestHosts.TempCursorFile();
        using var host = TestHosts.Build(TestHosts.For(server, file), j => j.AddHandler<FastHandler>(), s => s.AddTestHandlerServices());
        var recorder = host.Services.GetRequiredService<FastRecorder>();

        await host.StartAsync(token);
        await recorder.WaitForAsync(50, token);
        await host.StopAsync(token);

        Assert.That(recorder.Events.Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(1, 50).Select(i => (long)i)));
        Assert.That(await SavedAsync(file, token), Is.EqualTo(new JetstreamCursor(50, IsSequence: true, recorder.Events[^1].TimeUs, JetstreamProtocol.V1, server.Uri.Authority)));
    }

    [Test]
    public async Task Host_Restart_ResumesAfterTheSavedCursorWithoutRepeatsOrGaps(CancellationToken token)
    {
        await using var server = await ServerAsync(30, token);
        var file = TestHosts.TempCursorFile();
        using (var first = TestHosts.Build(TestHosts.For(server, file), j => j.AddHandler<FastHandler>(), s => s.AddTestHandlerServices()))
        {
            await first.StartAsync(token);
            await first.Services.GetRequiredService<FastRecorder>().WaitForAsync(30, token);
            await first.StopAsync(token);
        }

        server.Publish(Enumerable.Range(31, 20).Select(i => TestHosts.Post(i)).ToArray());
        using var second = TestHosts.Build(TestHosts.For(server, file), j => j.AddHandler<FastHandler>(), s => s.AddTestHandlerServices());
        var recorder = second.Services.GetRequiredService<FastRecorder>();
        await second.StartAsync(token);
        await recorder.WaitForAsync(20, token);
        await second.StopAsync(token);

        Assert.That(server.Connections[^1].RequestedCursor, Is.EqualTo(30), "the second host connects from the saved cursor");
        Assert.That(recorder.Events.Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(31, 20).Select(i => (long)i)), "the event at the cursor is not handled twice");
        Assert.That((await SavedAsync(file, token))!.Value, Is.EqualTo(50));
    }

    [Test]
    public async Task StopAsync_HandlerBehind_DrainsItsBufferBeforeSavingTheCursor(CancellationToken token)
    {
        await using var server = await ServerAsync(20, token);
        var file = TestHosts.TempCursorFile();
        var gate = new HandlerGate { BlockAt = 1 };
        using var host = TestHosts.Build(TestHosts.For(server, file), j => j.AddHandler<SlowHandler>(), s => s.AddTestHandlerServices(gate));
        var recorder = host.Services.GetRequiredService<SlowRecorder>();
        var service = host.Services.GetServices<IHostedService>().OfType<Internal.JetstreamHostedService>().Single();

        await host.StartAsync(token);
        await gate.Entered.Task.WaitAsync(TestHosts.Deadline, token);
        await WaitUntilAsync(() => service.Handlers[0].Pending == 20, token);
        var stopping = host.StopAsync(token);
        await server.Connections[0].Ended.WaitAsync(TestHosts.Deadline, token);
        Assert.That(recorder.Events, Is.Empty, "the connection closed while all 20 events still waited for the handler");
        gate.Release.SetResult();
        await stopping.WaitAsync(TestHosts.Deadline, token);

        Assert.That(recorder.Events, Has.Count.EqualTo(20));
        Assert.That((await SavedAsync(file, token))!.Value, Is.EqualTo(20));
        Assert.That(host.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Id.Id), Does.Contain(1073), "Drained");
    }

    [Test]
    public async Task StopAsync_ShutdownTimeoutPassed_CancelsTheHandlerAndSavesOnlyWhatItFinished(CancellationToken token)
    {
        await using var server = await ServerAsync(10, token);
        var file = TestHosts.TempCursorFile();
        var settings = TestHosts.For(server, file);
        settings["Jetstream:ShutdownTimeout"] = "00:00:00";
        var gate = new HandlerGate { BlockAt = 3 };
        using (var host = TestHosts.Build(settings, j => j.AddHandler<SlowHandler>(), s => s.AddTestHandlerServices(gate)))
        {
            await host.StartAsync(token);
            await gate.Entered.Task.WaitAsync(TestHosts.Deadline, token);
            await host.StopAsync(token);

            Assert.That(gate.SawCancellation, Is.True, "the running handler's token was cancelled");
            Assert.That(host.Services.GetRequiredService<SlowRecorder>().Events.Select(e => e.Cursor), Is.EqualTo(new long[] { 1, 2 }));
            Assert.That((await SavedAsync(file, token))!.Value, Is.EqualTo(2), "the cursor stays before the events that were not handled");
            Assert.That(host.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Id.Id), Does.Contain(1074), "DrainTimedOut");
        }

        using var restarted = TestHosts.Build(TestHosts.For(server, file), j => j.AddHandler<FastHandler>(), s => s.AddTestHandlerServices());
        var recorder = restarted.Services.GetRequiredService<FastRecorder>();
        await restarted.StartAsync(token);
        await recorder.WaitForAsync(8, token);
        await restarted.StopAsync(token);

        Assert.That(recorder.Events.Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(3, 8).Select(i => (long)i)), "the unhandled events come again after the restart");
    }

    [Test]
    public async Task SlowHandler_BlockedWithAFullBuffer_OtherHandlerStillGetsEveryEvent(CancellationToken token)
    {
        await using var server = await ServerAsync(0, token);
        var gate = new HandlerGate { BlockAt = 1 };
        using var host = TestHosts.Build(
            TestHosts.For(server),
            j => j.AddHandler<FastHandler>().AddHandler<SlowHandler>(h => h.BufferCapacity = 10),
            s => s.AddTestHandlerServices(gate));
        var fast = host.Services.GetRequiredService<FastRecorder>();
        var slow = host.Services.GetRequiredService<SlowRecorder>();
        var service = host.Services.GetServices<IHostedService>().OfType<Internal.JetstreamHostedService>().Single();

        await host.StartAsync(token);
        server.Publish(TestHosts.Post(1));
        await gate.Entered.Task.WaitAsync(TestHosts.Deadline, token);
        server.Publish(Enumerable.Range(2, 499).Select(i => TestHosts.Post(i)).ToArray());
        await fast.WaitForAsync(500, token);

        // The fast handler having all 500 does not mean each was offered to the slow one yet (the fan-out hands an
        // event to one handler after the other): wait, bounded, until the slow one's counts account for all 500.
        // Handlers returns snapshots: read a fresh one on every poll, and again for the asserts.
        await WaitUntilAsync(() => service.Handlers.Single(h => h.Name == nameof(SlowHandler)) is { } now && now.Pending + now.Dropped == 500, token);
        var slowCounters = service.Handlers.Single(h => h.Name == nameof(SlowHandler));
        Assert.That(slow.Events, Is.Empty, "the slow handler is still on its first event");
        Assert.That(slowCounters.Pending, Is.EqualTo(11), "the event it is on, and a full buffer of 10");
        Assert.That(slowCounters.Dropped, Is.EqualTo(489), "the events that found its buffer full were dropped for it alone");
        Assert.That(service.Handlers.Single(h => h.Name == nameof(FastHandler)).Dropped, Is.Zero);
        Assert.That(host.Services.GetFakeLogCollector().GetSnapshot().Count(r => r.Id.Id == 1076), Is.EqualTo(1), "one HandlerBufferFull for the episode");

        gate.Release.SetResult();
        await slow.WaitForAsync(11, token);
        await host.StopAsync(token);
        Assert.That(slow.Events.Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(1, 11).Select(i => (long)i)), "it handled what it had buffered, in order");
        Assert.That(host.Services.GetFakeLogCollector().GetSnapshot().Count(r => r.Id.Id == 1077), Is.EqualTo(1), "HandlerBufferRecovered once it drained to half");
    }

    [Test]
    public async Task Handlers_PerEventAndPerBatch_EachCallGetsItsOwnScope(CancellationToken token)
    {
        await using var server = await ServerAsync(300, token);
        using var host = TestHosts.Build(
            TestHosts.For(server),
            j => j.AddHandler<FastHandler>().AddBatchHandler<BatchHandler>(h => h.MaxBatchSize = 64),
            s => s.AddTestHandlerServices());
        var single = host.Services.GetRequiredService<FastRecorder>();
        var batches = host.Services.GetRequiredService<BatchRecorder>();

        await host.StartAsync(token);
        await single.WaitForAsync(300, token);
        await batches.WaitForAsync(300, token);
        await host.StopAsync(token);

        Assert.That(single.Scopes, Is.EqualTo(300), "one scope per event");
        Assert.That(batches.Events.Select(e => e.Cursor), Is.EqualTo(Enumerable.Range(1, 300).Select(i => (long)i)), "batches keep the stream's order");
        Assert.That(batches.Batches, Has.All.InRange(1, 64));
        Assert.That(batches.Scopes, Is.EqualTo(batches.Batches.Count), "one scope per batch");
    }

    [Test]
    public async Task Handler_Throws_LoggedCountedAndTheNextEventFollows(CancellationToken token)
    {
        await using var server = await ServerAsync(10, token);
        using var host = TestHosts.Build(TestHosts.For(server), j => j.AddHandler<FlakyHandler>(), s => s.AddTestHandlerServices());
        var recorder = host.Services.GetRequiredService<FastRecorder>();
        var service = host.Services.GetServices<IHostedService>().OfType<Internal.JetstreamHostedService>().Single();

        await host.StartAsync(token);
        await recorder.WaitForAsync(5, token);
        await WaitUntilAsync(() => service.Handlers[0].Failed == 5, token);
        await host.StopAsync(token);

        Assert.That(recorder.Events.Select(e => e.Cursor), Is.EqualTo(new long[] { 1, 3, 5, 7, 9 }));
        var failures = host.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Id == 1075).ToList();
        Assert.That(failures, Has.Count.EqualTo(5));
        Assert.That(failures[0].Message, Is.EqualTo("Jetstream handler FlakyHandler threw on 1 events (Commit at cursor 2 first); it goes on with the next"));
        Assert.That(failures[0].Exception, Is.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public async Task Host_LogsAndMetrics_GoThroughTheHostsFactories(CancellationToken token)
    {
        await using var server = await ServerAsync(25, token);
        using var host = TestHosts.Build(TestHosts.For(server), j => j.AddHandler<FastHandler>(), s => s.AddTestHandlerServices());
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var handled = new MetricCollector<long>(meters, JetstreamTelemetry.MeterName, "jetstream.hosting.handler.events");
        using var received = new MetricCollector<long>(meters, JetstreamTelemetry.MeterName, "jetstream.client.events.received");

        await host.StartAsync(token);
        await host.Services.GetRequiredService<FastRecorder>().WaitForAsync(25, token);
        await host.StopAsync(token);

        Assert.That(received.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(25), "the client's meter comes from the host's IMeterFactory");
        Assert.That(handled.GetMeasurementSnapshot().Where(m => m.Tags["jetstream.outcome"] as string == "handled").Sum(m => m.Value), Is.EqualTo(25));
        Assert.That(handled.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.handler"]), Has.All.EqualTo(nameof(FastHandler)));
        var logs = host.Services.GetFakeLogCollector().GetSnapshot();
        Assert.That(logs.Where(r => r.Category == JetstreamTelemetry.LoggerCategory).Select(r => r.Id.Id), Does.Contain(1001), "the connection's Connected log reaches the host's logging");
        Assert.That(logs.Where(r => r.Category == JetstreamHosting.LoggerCategory).Select(r => r.Id.Id), Is.SupersetOf(new[] { 1070, 1072, 1073, 1080 }));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after the deadline.</summary>
    internal static async Task WaitUntilAsync(Func<bool> condition, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + TestHosts.Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("the condition did not hold within the deadline");
            }

            await Task.Delay(5, token);
        }
    }
}
