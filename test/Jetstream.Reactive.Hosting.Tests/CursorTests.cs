using System.Diagnostics.Metrics;
using Jetstream.Reactive.Hosting.Internal;
using Jetstream.Reactive.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>What is saved, when, and where: a registered store, the host's clock, several endpoints.</summary>
[CancelAfter(60_000)]
public sealed class CursorTests
{
    [Test]
    public async Task Host_RegisteredCursorStore_SavesEveryIntervalOfTheHostsClock(CancellationToken token)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new RecordingStore();
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromGenerator(TestHosts.Post, 10) }, token);
        using var host = TestHosts.Build(
            TestHosts.For(server),
            j => j.AddHandler<FastHandler>(),
            s => s.AddTestHandlerServices().AddSingleton<ICursorStore>(store).AddSingleton<TimeProvider>(clock));

        await host.StartAsync(token);
        await host.Services.GetRequiredService<FastRecorder>().WaitForAsync(10, token);
        Assert.That(store.Saved, Is.Empty, "nothing is saved before the interval");
        var saved = store.NextSave();
        clock.Advance(TimeSpan.FromSeconds(5));
        var cursor = await saved.WaitAsync(TestHosts.Deadline, token);
        server.Publish(TestHosts.Post(11));
        await host.Services.GetRequiredService<FastRecorder>().WaitForAsync(11, token);
        await host.StopAsync(token);

        Assert.That(store.Loads, Is.EqualTo(1), "the library loaded the store before connecting");
        Assert.That(cursor.Value, Is.EqualTo(10));
        Assert.That(store.Saved.Select(c => c.Value), Is.EqualTo(new long[] { 10, 11 }), "one periodic save, then the final one at stop");
    }

    [Test]
    public async Task Host_LastHandledEventHasAnImplausibleCursor_SavesTheLastPlausibleOne(CancellationToken token)
    {
        var store = new RecordingStore();
        await using var server = await JetstreamTestServer.StartAsync(
            new JetstreamTestServerOptions
            {
                Events = JetstreamEventSource.FromGenerator(TestHosts.Post, 5),
                Faults = new FaultPlan().Next(s => s.HostileCursorAfter(5, long.MaxValue)),
            },
            token);
        using var host = TestHosts.Build(
            TestHosts.For(server),
            j => j.AddHandler<FastHandler>(),
            s => s.AddTestHandlerServices().AddSingleton<ICursorStore>(store));

        await host.StartAsync(token);
        var recorder = host.Services.GetRequiredService<FastRecorder>();
        await recorder.WaitForAsync(6, token);
        await host.StopAsync(token);

        Assert.That(store.Saved, Is.Not.Empty, "the final save at stop");
        Assert.That(store.Saved.Select(c => c.Value), Has.None.EqualTo(long.MaxValue), "a cursor that cannot be right is never saved (it would stick across restarts)");
        Assert.That(store.Saved[^1].Value, Is.EqualTo(5));
    }

    [Test]
    public async Task SaveHandledAsync_SeveralEndpoints_SavesTheTimeUsUnderNoRealHost()
    {
        var store = new RecordingStore();
        var options = new JetstreamOptions { Endpoints = [new Uri("wss://one.example"), new Uri("wss://two.example")] };
        using var meters = new NoMeterFactory();
        var keeper = new CursorKeeper(store, options, NullLogger.Instance, new HostingMetrics(meters, () => []));
        var e = new IdentityEvent("did:plc:q6gjnaw2blty4crticxkmujt", 1_700_000_000_000_000, 5, DateTimeOffset.UnixEpoch, null, serverCursor: 42);

        await keeper.SaveHandledAsync(new Tracked(1, e), final: false);
        await keeper.SaveAsync(new JetstreamCursor(99, true, 1_700_000_000_000_100, JetstreamProtocol.V1, "two.example"), CancellationToken.None);
        await keeper.SaveHandledAsync(new Tracked(2, e), final: true);
        await keeper.SaveHandledAsync(new Tracked(3, e), final: false);

        Assert.That(store.Saved, Is.EqualTo(new[]
        {
            new JetstreamCursor(1_700_000_000_000_000, false, 1_700_000_000_000_000, JetstreamProtocol.V1, "*"),
            new JetstreamCursor(1_700_000_000_000_000, false, 1_700_000_000_000_000, JetstreamProtocol.V1, "*"),
        }), "a time_us any host understands, under no real host so a restart rewinds and never skips; nothing after the final save");
    }

    private sealed class RecordingStore : ICursorStore
    {
        private readonly Lock _gate = new();
        private readonly List<JetstreamCursor> _saved = [];
        private TaskCompletionSource<JetstreamCursor>? _next;

        public int Loads { get; private set; }

        public IReadOnlyList<JetstreamCursor> Saved
        {
            get
            {
                lock (_gate)
                {
                    return _saved.ToList();
                }
            }
        }

        public Task<JetstreamCursor> NextSave()
        {
            lock (_gate)
            {
                _next = new TaskCompletionSource<JetstreamCursor>(TaskCreationOptions.RunContinuationsAsynchronously);
                return _next.Task;
            }
        }

        public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken)
        {
            Loads++;
            return ValueTask.FromResult<JetstreamCursor?>(null);
        }

        public ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _saved.Add(cursor);
                _next?.TrySetResult(cursor);
                _next = null;
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class NoMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
