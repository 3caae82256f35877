using System.Reactive.Linq;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Linq;

/// <summary>
/// <c>DisposeAsync</c> of a <c>SubscribeAsync</c> behind LINQ waits for the stream's final cursor save even when no
/// event ever reached the handler.
/// </summary>
public sealed class SubscribeAsyncFinalSaveTests
{
    private const long T0 = 1_779_719_000_000_000;

    [Test]
    public async Task DisposeAsync_WhereMatchedNothing_CompletesOnlyAfterTheFinalSave()
    {
        using var h = new Harness();
        var store = new GatedStore();
        h.Options = h.Options with { CursorStore = store, CursorSaveInterval = TimeSpan.FromHours(1) };
        var sub = JetstreamObservable.Connect(h.Options).Where(_ => false).SubscribeAsync((e, ct) => Task.CompletedTask, _ => { }, options: new AsyncHandlerOptions { Scheduler = h.Scheduler });
        h.At(Seconds(0.5), () =>
        {
            for (var i = 1; i <= 5; i++)
            {
                h.Transport.Socket(0).SendText(Events.Like(T0 + i, "r" + i));
            }
        });
        h.Scheduler.AdvanceTo(Seconds(1));

        var disposing = sub.DisposeAsync().AsTask();
        Assert.That(store.Started.Wait(TimeSpan.FromSeconds(30)), "the final save started");
        Assert.That(disposing.IsCompleted, Is.False, "the final save is still running");

        store.Release.TrySetResult();
        await disposing.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(store.Saved?.Value, Is.EqualTo(T0 + 5), "the filtered-out events were handled, and saved");
    }

    /// <summary>A store whose saves wait until the test releases them.</summary>
    private sealed class GatedStore : ICursorStore
    {
        public ManualResetEventSlim Started { get; } = new();

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public JetstreamCursor? Saved { get; private set; }

        public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<JetstreamCursor?>(null);

        public async ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
        {
            Started.Set();
            await Release.Task;
            Saved = cursor;
        }
    }
}
