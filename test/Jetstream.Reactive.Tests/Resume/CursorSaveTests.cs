using System.Reactive.Disposables;
using System.Reactive.Subjects;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Resume;

/// <summary>The delivered cursor is saved every interval when it moved, on dispose, only after an async handler finished, and again after a failed save.</summary>
public sealed class CursorSaveTests
{
    private const long T0 = 1_779_719_000_000_000;
    private Harness _h = null!;
    private MemoryCursorStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _store = new MemoryCursorStore(() => _h.Scheduler.Clock);
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void CursorStore_Delivered_SavedEveryIntervalWhenMovedAndOnDispose()
    {
        _h.Options = _h.Options with { CursorStore = _store, CursorSaveInterval = TimeSpan.FromSeconds(5) };
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(Seconds(1), () => _h.Transport.Socket(0).SendText(Events.Like(T0 + 1)));
        _h.At(Seconds(2), () => _h.Transport.Socket(0).SendText(Events.Like(T0 + 2, seq: 77)));
        _h.At(Seconds(11), () => _h.Transport.Socket(0).SendText(Events.Like(T0 + 3, seq: 78)));
        _h.Scheduler.AdvanceTo(Seconds(12));
        sub.Dispose();

        // At 5 s the cursor had moved (save); at 10 s it had not (no save); dispose saves the last one.
        Assert.That(_store.Saves.Select(s => (s.Time, s.Cursor.Value, s.Cursor.IsSequence)), Is.EqualTo(new[]
        {
            (Seconds(5), 77L, true),
            (Seconds(12), 78L, true),
        }));
        Assert.That(_store.Saves[^1].Cursor, Is.EqualTo(new JetstreamCursor(78, true, T0 + 3, JetstreamProtocol.V1, "127.0.0.1:6008")));
    }

    [Test]
    public void CursorStore_DisposedFromInsideOnNext_SavesThatEventOnceOnNextReturns()
    {
        _h.Options = _h.Options with { CursorStore = _store };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = System.Reactive.Linq.Observable.Take(JetstreamObservable.Connect(_h.Options), 2).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 1));
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 2));
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 3));
        });
        _h.Scheduler.AdvanceTo(1_000);

        // Take(2) completes and disposes inside the second OnNext: the final save has the first; once that OnNext
        // returns, the second is delivered and saved too. The third was never delivered.
        Assert.That(_store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { T0 + 1, T0 + 2 }));
    }

    [Test]
    public void CursorStore_WithSubscribeAsync_SavesOnlyWhatTheHandlerFinished()
    {
        _h.Options = _h.Options with { CursorStore = _store, CursorSaveInterval = TimeSpan.FromSeconds(1) };
        var sub = JetstreamObservable.Connect(_h.Options).SubscribeAsync((e, ct) => VirtualDelay(Seconds(2), ct), _ => { });
        _h.At(Seconds(0.5), () =>
        {
            for (var i = 1; i <= 5; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }
        });

        // Handler: event 1 from 0.5 s to 2.5 s, event 2 to 4.5 s; the 1 s saves see only finished events.
        _h.Scheduler.AdvanceTo(Seconds(5));
        sub.Dispose();

        Assert.That(_store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { T0 + 1, T0 + 2 }));
    }

    [Test]
    public void CursorStore_FailedSave_IsTriedAgainAtTheNextInterval()
    {
        var failures = 1;
        var store = new FlakyStore(() => failures-- > 0);
        _h.Options = _h.Options with { CursorStore = store, CursorSaveInterval = TimeSpan.FromSeconds(5) };
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(Seconds(1), () => _h.Transport.Socket(0).SendText(Events.Like(T0 + 1)));
        _h.Scheduler.AdvanceTo(Seconds(11));
        sub.Dispose();

        Assert.That(store.Attempts, Is.EqualTo(2), "failed at 5 s, saved at 10 s");
        Assert.That(store.Stored?.Value, Is.EqualTo(T0 + 1));
        Assert.That(_h.LogsWithId(1030), Has.Count.EqualTo(1));
    }

    private sealed class FlakyStore(Func<bool> fail) : ICursorStore
    {
        public int Attempts { get; private set; }

        public JetstreamCursor? Stored { get; private set; }

        public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<JetstreamCursor?>(null);

        public ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
        {
            Attempts++;
            if (fail())
            {
                return ValueTask.FromException(new IOException("disk full"));
            }

            Stored = cursor;
            return ValueTask.CompletedTask;
        }
    }

    private Task VirtualDelay(long ticks, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource();
        var timer = _h.Scheduler.Schedule(tcs, TimeSpan.FromTicks(ticks), static (_, t) =>
        {
            t.TrySetResult();
            return Disposable.Empty;
        });
        ct.Register(() =>
        {
            timer.Dispose();
            tcs.TrySetCanceled(ct);
        });
        return tcs.Task;
    }
}
