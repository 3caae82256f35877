using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Diagnostics;

/// <summary>A failing log provider, Randomizer or scheduler never leaves the stream quiet: it goes on, or ends with OnError.</summary>
public sealed class NeverQuietTests
{
    private const long T0 = 1_779_719_000_000_000;
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_RandomizerThrows_EndsWithOnError()
    {
        _h.Options = _h.Options with { Backoff = _h.Options.Backoff with { Randomizer = () => throw new InvalidOperationException("randomizer failed") } };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1), () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(60));

        var error = observer.Messages.Single().Value.Exception;
        Assert.That(error, Is.TypeOf<AggregateException>());
        Assert.That(((AggregateException)error!).InnerExceptions.Select(e => e.Message), Does.Contain("randomizer failed"));
    }

    [Test]
    public void Connect_LogProviderThrowsOnReconnectNotices_StillReconnectsAndDelivers()
    {
        var logger = new ThrowingLogger(1002, 1003);
        _h.Options = _h.Options with { LoggerFactory = logger };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1), () => _h.Transport.Socket(0).Drop());
        _h.At(Seconds(10), () => _h.Transport.Socket(1).SendText(Events.Like(T0 + 1)));
        _h.Scheduler.AdvanceTo(Seconds(20));

        Assert.That(logger.Thrown, Is.GreaterThan(0), "the logger did fail");
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(observer.Messages.Select(m => m.Value.Kind), Is.EqualTo(new[] { System.Reactive.NotificationKind.OnNext }));
    }

    [Test]
    public void Connect_LogProviderThrowsOnIdleTimeoutNotice_StillReportsTheAttempt()
    {
        // IdleTimeout is logged after the socket closed, outside the attempt's own try: an escape there used to end the attempt in silence.
        var logger = new ThrowingLogger(1009);
        _h.Options = _h.Options with { LoggerFactory = logger, IdleTimeout = TimeSpan.FromSeconds(5) };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(logger.Thrown, Is.GreaterThan(0), "the logger did fail");
        Assert.That(_h.Transport.Attempts.Count + observer.Messages.Count(m => m.Value.Kind == System.Reactive.NotificationKind.OnError), Is.GreaterThan(1), "a retry or an OnError followed");
    }

    [Test]
    public void CursorStore_SaveFailsAndItsLogThrows_LaterSavesStillHappen()
    {
        var store = new MemoryCursorStore(() => _h.Scheduler.Clock);
        store.SaveErrors.Enqueue(new IOException("disk full"));
        _h.Options = _h.Options with { CursorStore = store, CursorSaveInterval = TimeSpan.FromSeconds(5), LoggerFactory = new ThrowingLogger(1030) };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(Seconds(1), () => _h.Transport.Socket(0).SendText(Events.Like(T0 + 1, seq: 7)));
        _h.Scheduler.AdvanceTo(Seconds(12));

        Assert.That(store.Saves.Select(s => (s.Time, s.Cursor.Value)), Is.EqualTo(new[] { (Seconds(10), 7L) }), "the 5 s save failed; the 10 s one retried it");
    }

    [Test]
    public void Gaps_ObserverThrows_LoggedAndTheStreamGoesOn()
    {
        var calls = 0;
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        _h.Options = _h.Options with
        {
            Cursor = T0,
            Gaps = System.Reactive.Observer.Create<JetstreamGap>(_ =>
            {
                calls++;
                throw new InvalidOperationException("gap observer failed");
            }),
        };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        var tenMinutes = (long)TimeSpan.FromMinutes(10).TotalMicroseconds;
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(T0 + tenMinutes)));
        _h.At(200, () => _h.Transport.Socket(0).SendText(Events.Like(T0 + tenMinutes + 1)));

        Assert.That(() => _h.Scheduler.AdvanceTo(1_000), Throws.Nothing);
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(_h.LogsWithId(1035), Has.Count.EqualTo(1));
        Assert.That(observer.Messages, Has.Count.EqualTo(2));
    }

    [Test]
    public void Report_FromTwoThreads_ObserverCalledOneAtATimeInOrder()
    {
        // Two streams (threads) find gaps at once; the shared observer must never be entered twice at once.
        var inside = 0;
        var overlapped = false;
        var seen = new System.Collections.Concurrent.ConcurrentQueue<long>();
        var gaps = System.Reactive.Observer.Create<JetstreamGap>(g =>
        {
            overlapped |= Interlocked.Increment(ref inside) > 1;
            Thread.SpinWait(200_000);
            seen.Enqueue(g.RequestedCursor);
            Interlocked.Decrement(ref inside);
        });
        var notifier = Jetstream.Reactive.Resume.GapNotifier.Of(gaps, System.Reactive.Concurrency.TaskPoolScheduler.Default, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                notifier.Report(new JetstreamGap("e", (t * 100) + i, 0, 0, null, 1));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        SpinWait.SpinUntil(() => seen.Count == 40, TimeSpan.FromSeconds(30));

        Assert.That(overlapped, Is.False);
        Assert.That(seen.Where(c => c < 100), Is.Ordered);
        Assert.That(seen.Where(c => c >= 100), Is.Ordered);
        Assert.That(seen, Has.Count.EqualTo(40));
    }
}
