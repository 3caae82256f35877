using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Connection;

/// <summary>
/// Disposing the subscription leaves nothing running, whatever it was doing: no work left on the scheduler (idle timer,
/// periodic save, drain), the call in flight asked to stop through its token, no socket left open, and nothing started
/// afterwards, even when the call in flight ignores its token and finishes late.
/// </summary>
public sealed class DisposeLeavesNothingRunningTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [TestCase(true, TestName = "Dispose_DuringV2DictionaryFetch_CancelsTheFetchAndLeavesNothingRunning")]
    [TestCase(false, TestName = "Dispose_DuringV2DictionaryFetchThatAnswersLate_NeverConnects")]
    public void Dispose_DuringV2DictionaryFetch(bool honourCancellation)
    {
        var source = new HeldDictionarySource(honourCancellation);
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, Compression = JetstreamCompression.Zstd, DictionarySource = source };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(1));
        Assert.That(source.Fetches, Has.Count.EqualTo(1), "the attempt is waiting for the dictionary");

        sub.Dispose();
        var fetch = source.Fetches[0].Call;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fetch.Token.IsCancellationRequested, Is.True, "dispose cancels the fetch");
            Assert.That(_h.Scheduler.NextDueTime, Is.Null, "no timer left on the scheduler");
        }

        fetch.Release(Jetstream.Reactive.Compression.JetstreamZstdDictionaries.BundledV2.ToArray());
        _h.Scheduler.AdvanceTo(Seconds(1_000));

        AssertNothingRanAfterDispose(observer);
    }

    [TestCase(true, TestName = "Dispose_DuringCursorLoad_CancelsTheLoadAndLeavesNothingRunning")]
    [TestCase(false, TestName = "Dispose_DuringCursorLoadThatAnswersLate_NeverConnects")]
    public void Dispose_DuringCursorLoad(bool honourCancellation)
    {
        var store = new HeldCursorStore(holdLoads: true, holdSaves: false, honourCancellation);
        _h.Options = _h.Options with { CursorStore = store };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(1));
        Assert.That(store.Loads, Has.Count.EqualTo(1), "the attempt is waiting for the stored cursor");

        sub.Dispose();
        var load = store.Loads[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(load.Token.IsCancellationRequested, Is.True, "dispose cancels the load");
            Assert.That(_h.Scheduler.NextDueTime, Is.Null, "no timer left on the scheduler (idle timer, periodic save)");
        }

        load.Release(new JetstreamCursor(Events.RealTimeUs, false, Events.RealTimeUs, JetstreamProtocol.V1, "127.0.0.1:6008"));
        _h.Scheduler.AdvanceTo(Seconds(1_000));

        AssertNothingRanAfterDispose(observer);
        Assert.That(store.Saved, Is.Empty, "nothing was handled, so nothing is saved");
    }

    [Test]
    public void Dispose_DuringCursorSave_SavesTheLatestCursorOnceTheSaveInFlightEndsThenNothing()
    {
        var store = new HeldCursorStore(holdLoads: false, holdSaves: true, honourCancellation: false);
        _h.Options = _h.Options with { CursorStore = store, CursorSaveInterval = TimeSpan.FromSeconds(5) };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1), () => _h.Transport.Socket(0).SendText(Events.Like(Events.RealTimeUs + 1)));
        _h.At(Seconds(6), () => _h.Transport.Socket(0).SendText(Events.Like(Events.RealTimeUs + 2)));
        _h.Scheduler.AdvanceTo(Seconds(7));
        Assert.That(store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { Events.RealTimeUs + 1 }), "the 5 s save is in flight");

        // Disposed while the store still holds the first save; the second event was handled since.
        sub.Dispose();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_h.Scheduler.NextDueTime, Is.Null, "no timer left on the scheduler (the periodic save is gone)");
            Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True, "the socket is closed at once, not after the save");
            Assert.That(store.Saves, Has.Count.EqualTo(1), "one save in flight at a time");
        }

        store.Saves[0].Call.Release(true);
        _h.Scheduler.AdvanceTo(Seconds(8));
        Assert.That(store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { Events.RealTimeUs + 1, Events.RealTimeUs + 2 }), "the final save follows the one in flight, with the latest cursor");

        store.Saves[1].Call.Release(true);
        _h.Scheduler.AdvanceTo(Seconds(1_000));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.Saved.Select(c => c.Value), Is.EqualTo(new[] { Events.RealTimeUs + 1, Events.RealTimeUs + 2 }));
            Assert.That(store.Saves, Has.Count.EqualTo(2), "nothing saves after the final save");
            Assert.That(_h.Scheduler.NextDueTime, Is.Null);
            Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void Dispose_ConnectCompletesAfterDispose_ClosesThatSocketAndLeavesNothingRunning()
    {
        _h.Transport.ThenOpenLater();
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(1));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "the connect is pending");

        sub.Dispose();
        Assert.That(_h.Scheduler.NextDueTime, Is.Null, "no timer left on the scheduler (the handshake timeout is gone)");

        // The transport ignored the token: its socket arrives after dispose and must be closed, not read.
        _h.Transport.OpenPending();
        _h.Scheduler.AdvanceTo(Seconds(1_000));
        var socket = _h.Transport.Socket(0);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(socket.IsDisposed, Is.True, "the late socket is closed");
            Assert.That(socket.ReceivePending, Is.False, "no read is left waiting on it");
            Assert.That(_h.Scheduler.NextDueTime, Is.Null, "no timer left on the scheduler");
            Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "no reconnect");
            Assert.That(observer.Messages, Is.Empty, "nothing reaches the observer after dispose");
        }
    }

    private void AssertNothingRanAfterDispose(ITestableObserver<JetstreamEvent> observer)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_h.Transport.Attempts, Is.Empty, "no connection is made after dispose");
            Assert.That(_h.Scheduler.NextDueTime, Is.Null, "no timer left on the scheduler");
            Assert.That(observer.Messages, Is.Empty, "nothing reaches the observer after dispose");
        }
    }
}
