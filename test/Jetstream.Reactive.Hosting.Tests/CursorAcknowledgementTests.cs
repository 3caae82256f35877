using Jetstream.Reactive.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>The host's stop returns after the library's final cursor save, which the workers' acknowledgements feed.</summary>
[CancelAfter(60_000)]
public sealed class CursorAcknowledgementTests
{
    [Test]
    public async Task StopAsync_SlowStore_ReturnsOnlyAfterTheFinalSave(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromGenerator(TestHosts.Post, 10) }, token);
        var store = new SlowStore();
        var settings = TestHosts.For(server);
        settings["Jetstream:CursorSaveInterval"] = "01:00:00";
        using var host = TestHosts.Build(settings, j => j.AddHandler<FastHandler>(), s => s.AddTestHandlerServices().AddSingleton<ICursorStore>(store));

        await host.StartAsync(token);
        await host.Services.GetRequiredService<FastRecorder>().WaitForAsync(10, token);
        var stopping = host.StopAsync(token);
        await store.Started.Task.WaitAsync(TestHosts.Deadline, token);
        store.Release.SetResult();
        await stopping.WaitAsync(TestHosts.Deadline, token);

        Assert.That(store.Saved?.Value, Is.EqualTo(10));
        var stopped = host.Services.GetFakeLogCollector().GetSnapshot().Single(r => r.Id.Id == 1080);
        Assert.That(stopped.Message, Does.EndWith("cursor 10 saved"), "the stop waited for the final save before it reported");
    }

    /// <summary>A store whose saves wait until the test releases them.</summary>
    private sealed class SlowStore : ICursorStore
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public JetstreamCursor? Saved { get; private set; }

        public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<JetstreamCursor?>(null);

        public async ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            Saved = cursor;
        }
    }
}
