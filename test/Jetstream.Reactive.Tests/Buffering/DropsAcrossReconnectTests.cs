using System.Globalization;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Buffering;

/// <summary>
/// Drops and reconnects together, as docs/backpressure.md says: under the default policy a dropped event was queued, so
/// it moves the resume cursor and a reconnect does not bring it back; under <c>ResumeFromCursor</c> nothing is dropped,
/// and a server failure and the overflow pauses together still deliver every event exactly once. The scripted server
/// answers each connection like Jetstream: every event from the requested cursor on (inclusive), in one burst.
/// </summary>
public sealed class DropsAcrossReconnectTests
{
    private const long T0 = 1_779_719_000_000_000;
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_DropIncomingThenServerFails_DroppedEventsAreNotReadAgainAndQueuedOnesSurvive()
    {
        _h.Options = _h.Options with { BufferCapacity = 2 };
        using var dropped = _h.Meters.Collect<long>("jetstream.client.events.dropped");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);

        // First connection: e1..e6 in one burst (e1 and e2 fill the buffer, e3..e6 are dropped), then it fails while
        // e1 and e2 still wait in the buffer.
        Serve(lastEvent: 6, failFirstConnection: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_h.Transport.Attempts.Select(a => a.Cursor), Is.EqualTo(new[] { null, Cursor(6) }), "the dropped e6 was queued: the reconnect resumes after it");
            Assert.That(RKeys(observer), Is.EqualTo(new[] { "e1", "e2", "e7", "e8" }), "e1 and e2 survive the reconnect; e3..e6 are not read again; e6's replay is skipped");
            Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(4));
        }
    }

    [Test]
    public void Connect_ResumeFromCursorThenServerFails_EveryEventExactlyOnceInOrder()
    {
        _h.Options = _h.Options with { BufferCapacity = 2, Overflow = JetstreamOverflow.ResumeFromCursor };
        using var dropped = _h.Meters.Collect<long>("jetstream.client.events.dropped");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);

        // First connection: e1 and e2 (the buffer's size), then a server failure; later connections get bursts larger
        // than the buffer, so the reader pauses and resumes from the cursor several times.
        Serve(lastEvent: 2, failFirstConnection: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(RKeys(observer), Is.EqualTo(Enumerable.Range(1, 8).Select(i => $"e{i}")), "nothing lost, nothing twice");
            Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.Zero);
            Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo(Cursor(2)), "after the failure, from the last event queued");
            Assert.That(_h.Transport.Attempts.Count, Is.GreaterThan(2), "the later bursts paused the reader");
        }
    }

    /// <summary>
    /// Answers each connection with the events from its cursor (inclusive) to e8. With <paramref name="failFirstConnection"/>
    /// the first connection sends e1..<paramref name="lastEvent"/> and then fails (a 1006).
    /// </summary>
    private void Serve(int lastEvent, bool failFirstConnection)
    {
        for (var served = 0; served < 12; served++)
        {
            // Long enough for the backoff after a failure (1 s here) and for the buffer to drain after a pause.
            _h.Scheduler.AdvanceBy(Seconds(3));
            if (_h.Transport.Attempts.Count <= served)
            {
                return;
            }

            var socket = _h.Transport.Socket(served);
            var from = _h.Transport.Attempts[served].Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) - T0 : 1;
            var to = served == 0 ? lastEvent : 8;
            var fail = served == 0 && failFirstConnection;
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
        }
    }

    private static string Cursor(long i) => (T0 + i).ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<string> RKeys(ITestableObserver<JetstreamEvent> observer) =>
        observer.Messages.Where(m => m.Value.Kind == System.Reactive.NotificationKind.OnNext).Select(m => ((CommitEvent)m.Value.Value).Commit.RKey);
}
