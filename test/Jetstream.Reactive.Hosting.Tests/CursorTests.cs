using Jetstream.Reactive.Testing;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>What is saved, when, and where: a registered store, the host's clock, several endpoints.</summary>
[CancelAfter(60_000)]
public sealed class CursorTests
{
    [Test]
    public async Task Host_RegisteredCursorStore_SavesEveryIntervalAndAtStop(CancellationToken token)
    {
        // The library saves on its scheduler every CursorSaveInterval (default 5 s); the host's TimeProvider no longer
        // drives cursor saves (the workers acknowledge handled events, and the library's saver does the rest).
        var store = new RecordingStore();
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromGenerator(TestHosts.Post, 10) }, token);
        using var host = TestHosts.Build(
            TestHosts.For(server),
            j => j.AddHandler<FastHandler>(),
            s => s.AddTestHandlerServices().AddSingleton<ICursorStore>(store));

        var saved = store.NextSave();
        await host.StartAsync(token);
        await host.Services.GetRequiredService<FastRecorder>().WaitForAsync(10, token);
        Assert.That(store.Saved, Is.Empty, "nothing is saved before the interval");
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
}
