using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Buffering;

/// <summary>The buffers are bounded in bytes as well as in events: a server sending huge records cannot fill memory.</summary>
public sealed class ByteBudgetTests
{
    private const long T0 = 1_779_719_000_000_000;

    /// <summary>A like whose record carries <paramref name="padding"/> bytes of extra JSON.</summary>
    private static string BigLike(long timeUs, int padding) =>
        Events.Like(timeUs).Replace("\"$type\":\"app.bsky.feed.like\"", "\"$type\":\"app.bsky.feed.like\",\"pad\":\"" + new string('x', padding) + "\"", StringComparison.Ordinal);

    [Test]
    public void Connect_BurstOfBigEventsOverTheByteLimit_DropsAndCountsThem()
    {
        using var h = new Harness();
        h.Options = h.Options with { BufferByteLimit = 100 * 1024 };
        using var dropped = h.Meters.Collect<long>("jetstream.client.events.dropped");
        var seen = new List<long>();
        using var sub = JetstreamObservable.Connect(h.Options).Subscribe(e => seen.Add(e.TimeUs));
        h.At(10, () =>
        {
            // All ten arrive before the subscriber runs: 30 KB each, so three fit in 100 KiB.
            for (var i = 1; i <= 10; i++)
            {
                h.Transport.Socket(0).SendText(BigLike(T0 + i, 30_000));
            }
        });
        h.Scheduler.AdvanceTo(1_000);

        Assert.That(seen, Is.EqualTo(new[] { T0 + 1, T0 + 2, T0 + 3 }));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(7));
        Assert.That(h.LogsWithId(1007), Has.Count.EqualTo(1), "logged once per episode, like any drop");
    }

    [Test]
    public void Connect_ResumeFromCursorAndBurstOverTheByteLimit_PausesAndLosesNothing()
    {
        using var h = new Harness();
        h.Options = h.Options with { BufferByteLimit = 100 * 1024, Overflow = JetstreamOverflow.ResumeFromCursor };
        using var dropped = h.Meters.Collect<long>("jetstream.client.events.dropped");
        using var pauses = h.Meters.Collect<long>("jetstream.client.overflow.pauses");
        var seen = new List<long>();
        using var sub = JetstreamObservable.Connect(h.Options).Subscribe(e => seen.Add(e.TimeUs));

        // Every connection gets, in one burst, all ten 30 KB events from its cursor on (inclusive, like the servers):
        // three fit in 100 KiB, far under the 10,000-event capacity, so only the byte budget can pause the reader.
        for (var served = 0; served < 8 && h.Transport.Attempts.Count > served; served++)
        {
            var socket = h.Transport.Socket(served);
            var from = h.Transport.Attempts[served].Cursor is { } c ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) - T0 : 1;
            h.At(h.Scheduler.Clock + 100, () =>
            {
                for (var i = from; i <= 10; i++)
                {
                    socket.SendText(BigLike(T0 + i, 30_000));
                }
            });
            h.Scheduler.AdvanceBy(200);
        }

        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, 10).Select(i => T0 + i)), "every event once, in order");
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.Zero, "the byte budget paused the reader instead of dropping");
        Assert.That(pauses.GetMeasurementSnapshot().EvaluateAsCounter(), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public void Connect_OneEventLargerThanTheWholeBudget_StillDeliveredIntoAnEmptyBuffer()
    {
        using var h = new Harness();
        h.Options = h.Options with { BufferByteLimit = JetstreamOptions.MinBufferByteLimit };
        var seen = new List<long>();
        using var sub = JetstreamObservable.Connect(h.Options).Subscribe(e => seen.Add(e.TimeUs));
        h.At(10, () => h.Transport.Socket(0).SendText(BigLike(T0 + 1, 200_000)));
        h.At(20, () => h.Transport.Socket(0).SendText(BigLike(T0 + 2, 200_000)));
        h.Scheduler.AdvanceTo(1_000);

        Assert.That(seen, Is.EqualTo(new[] { T0 + 1, T0 + 2 }));
    }

    [Test]
    public void SubscribeAsync_SlowHandlerAndBigEvents_QueueBoundedInBytes()
    {
        using var h = new Harness();
        var seen = new List<long>();
        var source = new System.Reactive.Subjects.Subject<JetstreamEvent>();
        var events = Enumerable.Range(1, 10).Select(i => JetstreamEventDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(BigLike(T0 + i, 30_000))).Event!).ToList();
        using var sub = source.SubscribeAsync(
            (e, _) =>
            {
                seen.Add(e.TimeUs);
                return Task.CompletedTask;
            },
            options: new AsyncHandlerOptions { Scheduler = h.Scheduler, BufferByteLimit = 100 * 1024 });
        events.ForEach(source.OnNext);
        h.Scheduler.AdvanceTo(1_000);

        Assert.That(seen, Has.Count.EqualTo(3));
        Assert.That(sub.Dropped, Is.EqualTo(7));
    }

    [Test]
    public void SubscribeAsync_ByteLimitBelowMinimum_Throws()
    {
        var source = new System.Reactive.Subjects.Subject<JetstreamEvent>();
        Assert.That(
            () => source.SubscribeAsync((_, _) => Task.CompletedTask, options: new AsyncHandlerOptions { BufferByteLimit = 10 }),
            Throws.ArgumentException.With.Message.Contains("AsyncHandlerOptions.BufferByteLimit is 10"));
    }

    [Test]
    public void Connect_ByteLimitBelowMinimum_FailsFastNamingIt()
    {
        Assert.That(
            () => JetstreamObservable.Connect(new JetstreamOptions { BufferByteLimit = 1_000 }),
            Throws.TypeOf<JetstreamOptionsException>().With.Message.Contains("JetstreamOptions.BufferByteLimit is 1000; it must be at least 65,536 bytes"));
    }

    [Test]
    public void DropIncomingQueue_ByteEpisode_EndsOnlyWhenBytesAreBackUnderHalf()
    {
        var monitor = new EpisodeMonitor();
        var queue = new DropIncomingQueue<long>(100, monitor, null, 1_000, x => x);
        Assert.That(queue.TryEnqueue(100), Is.True);
        Assert.That(queue.TryEnqueue(800), Is.True);
        Assert.That(queue.TryEnqueue(200), Is.False, "900 + 200 is over 1,000");
        Assert.That(queue.Bytes, Is.EqualTo(900));

        Assert.That(queue.TryDequeue(out _), Is.True);
        Assert.That(monitor.Ended, Is.Empty, "one item is far under half the count, but 800 bytes are over half the budget");
        Assert.That(queue.TryDequeue(out _), Is.True);
        Assert.That(monitor.Ended, Is.EqualTo(new[] { 1L }));
        Assert.That(queue.Bytes, Is.Zero);
    }

    private sealed class EpisodeMonitor : IDropIncomingMonitor<long>
    {
        public List<long> Ended { get; } = [];

        public void DepthChanged(int delta, long bytes)
        {
        }

        public void Dropped(long item, bool firstInEpisode, int capacity)
        {
        }

        public void EpisodeEnded(long dropped) => Ended.Add(dropped);
    }
}
