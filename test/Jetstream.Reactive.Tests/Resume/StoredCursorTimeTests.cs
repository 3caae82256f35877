using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Resume;

/// <summary>A stored cursor saved without TimeUs never turns into cursor=0 on another host.</summary>
public sealed class StoredCursorTimeTests
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
    public void CursorStore_SeqCursorWithoutTimeFromAnotherHost_StartsLiveAndWarns()
    {
        _store.Stored = new JetstreamCursor(42, true, 0, JetstreamProtocol.V1, "jetstream.us-west.bsky.network");
        _h.Options = _h.Options with { CursorStore = _store };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts[0].Cursor, Is.Null, "not cursor=0, which would replay the whole retention");
        Assert.That(_h.LogsWithId(1037), Has.Count.EqualTo(1));
    }

    [Test]
    public void CursorStore_TimeCursorWithoutTimeFromAnotherHost_ResumesByItsValueMinusTheRewind()
    {
        _store.Stored = new JetstreamCursor(T0, false, 0, JetstreamProtocol.V1, "jetstream.us-west.bsky.network");
        _h.Options = _h.Options with { CursorStore = _store };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        var expected = T0 - (long)_h.Options.FailoverRewind.TotalMicroseconds;
        Assert.That(_h.Transport.Attempts[0].Cursor, Is.EqualTo(expected.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
