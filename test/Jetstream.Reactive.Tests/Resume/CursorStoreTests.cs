using System.Reactive.Disposables;
using System.Reactive.Subjects;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Resume;

/// <summary>A stored cursor decides where the stream starts: this host's cursor resumes exactly, another host's or an unknown host's rewinds, the other protocol's is never sent, a failed load ends the stream.</summary>
public sealed class CursorStoreTests
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
    public void CursorStore_SavedCursorOnThisHost_ResumesFromItAndDoesNotDeliverThatEventAgain()
    {
        _store.Stored = new JetstreamCursor(T0 + 2, false, T0 + 2, JetstreamProtocol.V1, "127.0.0.1:6008");
        _h.Options = _h.Options with { CursorStore = _store, Cursor = 5 };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 2, "saved"));
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 3, "next"));
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.Transport.Attempts[0].Cursor, Is.EqualTo((T0 + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), "the store wins over JetstreamOptions.Cursor");
        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "next" }));
        Assert.That(_h.LogsWithId(1028), Has.Count.EqualTo(1));
    }

    [Test]
    public void CursorStore_SavedOnAnotherHost_ResumesByTimeMinusTheRewindWithoutSendingItsSeq()
    {
        _store.Stored = new JetstreamCursor(42, true, T0, JetstreamProtocol.V1, "jetstream.us-west.bsky.network");
        _h.Options = _h.Options with { CursorStore = _store };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        var expected = T0 - (long)_h.Options.FailoverRewind.TotalMicroseconds;
        Assert.That(_h.Transport.Attempts[0].Cursor, Is.EqualTo(expected.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void CursorStore_SavedUnderNoConfiguredHost_RewindsAndSkipsNothingStampedAtTheSavedTime()
    {
        // What the hosting consumer saves with several Endpoints: an event at the saved time_us may not have been
        // handled, so it must come again rather than be taken for a replay.
        _store.Stored = new JetstreamCursor(T0, false, T0, JetstreamProtocol.V1, "*");
        _h.Options = _h.Options with { CursorStore = _store };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(T0, "same-time"));
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 1, "next"));
        });
        _h.Scheduler.AdvanceTo(1_000);

        var expected = T0 - (long)_h.Options.FailoverRewind.TotalMicroseconds;
        Assert.That(_h.Transport.Attempts[0].Cursor, Is.EqualTo(expected.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "same-time", "next" }));
    }

    [Test]
    public void CursorStore_SavedForTheOtherProtocol_IsNeverSentAndSaysSo()
    {
        _store.Stored = new JetstreamCursor(42, true, T0, JetstreamProtocol.V2, "127.0.0.1:6008");
        _h.Options = _h.Options with { CursorStore = _store };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts[0].Cursor, Is.Null);
        Assert.That(_h.LogsWithId(1029).Single().Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
    }

    [Test]
    public void CursorStore_LoadFails_StreamEndsWithCursorStoreErrorBeforeConnecting()
    {
        _store.LoadError = new InvalidDataException("corrupt");
        _h.Options = _h.Options with { CursorStore = _store };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(observer.Messages.Single().Value.Exception, Is.TypeOf<JetstreamCursorStoreException>().With.InnerException.Message.EqualTo("corrupt"));
        Assert.That(_h.Transport.Attempts, Is.Empty);
    }
}
