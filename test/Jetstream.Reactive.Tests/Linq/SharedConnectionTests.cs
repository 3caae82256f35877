using System.Globalization;
using System.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Linq;

/// <summary>
/// One connection shared with <c>Publish().RefCount()</c>, as the <see cref="JetstreamObservable.Connect"/> docs
/// suggest: the retry is inside, so the shared stream survives reconnects; there is one connection however many
/// subscribers, and each subscriber sees each event once, in order.
/// </summary>
public sealed class SharedConnectionTests
{
    private const long T0 = 1_779_719_000_000_000;
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void PublishRefCount_ConnectionLostTwice_OneConnectionAtATimeAndEachSubscriberSeesEachEventOnce()
    {
        var shared = JetstreamObservable.Connect(_h.Options).Publish().RefCount();
        var a = _h.Scheduler.CreateObserver<JetstreamEvent>();
        var b = _h.Scheduler.CreateObserver<JetstreamEvent>();
        var subA = shared.Subscribe(a);
        var subB = shared.Subscribe(b);

        // Each connection replays from its cursor (inclusive, like the servers) and goes on to the next two events; the
        // first two connections then fail.
        var last = 0L;
        for (var served = 0; served < 3; served++)
        {
            _h.Scheduler.AdvanceBy(Seconds(5));
            Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(served + 1), "one connection for both subscribers");
            var socket = _h.Transport.Socket(served);
            var from = _h.Transport.Attempts[served].Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) - T0 : 1;
            var to = last + 2;
            var fail = served < 2;
            _h.At(_h.Scheduler.Clock + 1, () =>
            {
                for (var i = from; i <= to; i++)
                {
                    socket.SendText(Events.Like(T0 + i, $"e{i}"));
                }

                if (fail)
                {
                    socket.Drop();
                }
            });
            last = to;
        }

        _h.Scheduler.AdvanceBy(Seconds(5));
        var expected = Enumerable.Range(1, 6).Select(i => $"e{i}").ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RKeys(a), Is.EqualTo(expected), "subscriber A: each event once, in order, across two reconnects");
            Assert.That(RKeys(b), Is.EqualTo(expected), "subscriber B: the same");
            Assert.That(a.Messages.Concat(b.Messages).Where(m => m.Value.Kind != System.Reactive.NotificationKind.OnNext), Is.Empty, "the shared stream never ended");
            Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(3), "one connection at a time, never one per subscriber");
            Assert.That(_h.Transport.Attempts.Select(x => x.Cursor), Is.EqualTo(new[] { null, Cursor(2), Cursor(4) }));
        }

        // The connection lives while anyone listens, and closes with the last one.
        subA.Dispose();
        _h.Scheduler.AdvanceBy(Seconds(1));
        Assert.That(_h.Transport.Socket(2).IsDisposed, Is.False, "B still listens");
        subB.Dispose();
        _h.Scheduler.AdvanceBy(Seconds(600));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_h.Transport.Socket(2).IsDisposed, Is.True, "the last subscriber's dispose closes the connection");
            Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(3), "no reconnect after the last dispose");
            Assert.That(_h.Scheduler.NextDueTime, Is.Null, "nothing left on the scheduler");
        }
    }

    private static string Cursor(long i) => (T0 + i).ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<string> RKeys(ITestableObserver<JetstreamEvent> observer) =>
        observer.Messages.Where(m => m.Value.Kind == System.Reactive.NotificationKind.OnNext).Select(m => ((CommitEvent)m.Value.Value).Commit.RKey);
}
