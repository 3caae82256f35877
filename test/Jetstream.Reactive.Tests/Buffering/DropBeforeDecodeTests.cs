using System.Globalization;
using System.Text;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Buffering;

/// <summary>
/// #16 item 5: while the buffer is full, an incoming v1 event is dropped from its header alone, never built; the counts
/// and the resume position are those of a built event that the buffer refused.
/// </summary>
public sealed class DropBeforeDecodeTests
{
    private const long T0 = Events.RealTimeUs;
    private const int Capacity = 10;
    private const int Burst = 2_000;

    [Test]
    public void Connect_BufferFull_DropsWithoutBuildingTheEvents()
    {
        using var h = new Harness();
        h.Options = h.Options with { BufferCapacity = Capacity };
        var seen = 0;
        using var sub = JetstreamObservable.Connect(h.Options).Subscribe(_ => seen++);

        Assert.That(ReaderBytesPerDrop(h), Is.LessThan(BuildBytes()), "reading and dropping a message costs less than building its event alone");
        h.Scheduler.AdvanceTo(Harness.Seconds(1));
        Assert.That(seen, Is.EqualTo(Capacity));
    }

    [Test]
    public void SubscribeAsync_HandlerQueueFull_DropsWithoutBuildingTheEventsAndCountsThem()
    {
        using var h = new Harness();
        h.Options = h.Options with { BufferCapacity = Capacity };
        var handled = 0;
        using var sub = JetstreamObservable.Connect(h.Options).SubscribeAsync((_, _) =>
        {
            handled++;
            return Task.CompletedTask;
        });

        Assert.That(ReaderBytesPerDrop(h), Is.LessThan(BuildBytes()), "the handler's queue takes the buffer's place: the reader drops into it unbuilt");
        h.Scheduler.AdvanceTo(Harness.Seconds(1));
        Assert.That(handled, Is.EqualTo(Capacity));
        Assert.That(sub.Dropped, Is.EqualTo(Burst), "the subscription's own drop count sees the unbuilt drops");
    }

    [Test]
    public void Connect_BufferFull_CountsAndResumePositionAsIfBuilt()
    {
        using var h = new Harness();
        h.Options = h.Options with { BufferCapacity = Capacity };
        using var received = h.Meters.Collect<long>("jetstream.client.events.received");
        using var dropped = h.Meters.Collect<long>("jetstream.client.events.dropped");
        var seen = new List<long>();
        using var sub = JetstreamObservable.Connect(h.Options).Subscribe(e => seen.Add(e.TimeUs));
        h.At(10, () =>
        {
            for (var i = 1; i <= Capacity + Burst; i++)
            {
                h.Transport.Socket(0).SendText(Events.Like(T0 + i, seq: 100 + i));
            }

            h.Transport.Socket(0).Drop();
        });
        h.Scheduler.AdvanceTo(Harness.Seconds(2));

        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, Capacity).Select(i => T0 + i)));
        Assert.That(received.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(Capacity + Burst));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(Burst), "received = delivered + dropped");
        Assert.That(h.LogsWithId(1007), Has.Count.EqualTo(1), "one buffer-full warning for the episode");
        Assert.That(h.LogsWithId(1008).Single().Message, Does.Contain($"{Burst} events were dropped"), "the episode's count includes the unbuilt drops");

        // A dropped event was read: the reconnect resumes after the last one read, not after the last one delivered.
        Assert.That(h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(h.Transport.Attempts[1].Cursor, Is.EqualTo((100 + Capacity + Burst).ToString(CultureInfo.InvariantCulture)));
    }

    [TestCase("\"time_us\":1779719009000011", "\"time_us\":\"1779719009000011\"", TestName = "time_us a string")]
    [TestCase("\"did\":\"" + Events.Did + "\"", "\"did\":\"\\ud800\"", TestName = "did an unpaired surrogate")]
    [TestCase(",\"kind\":\"commit\"", ",\"identity\":{\"seq\":\"x\"},\"kind\":\"commit\"", TestName = "a broken body of another kind")]
    public void Connect_BufferFullAndFrameTheDecoderRejects_CountsItMalformedNotDropped(string part, string replacement)
    {
        using var h = new Harness();
        h.Options = h.Options with { BufferCapacity = Capacity };
        using var dropped = h.Meters.Collect<long>("jetstream.client.events.dropped");
        using var malformed = h.Meters.Collect<long>("jetstream.client.frames.malformed");
        using var sub = JetstreamObservable.Connect(h.Options).Subscribe(_ => { });
        var bad = Events.Like(T0 + 11).Replace(part, replacement, StringComparison.Ordinal);
        Assert.That(bad, Is.Not.EqualTo(Events.Like(T0 + 11)));
        h.At(10, () =>
        {
            for (var i = 1; i <= Capacity; i++)
            {
                h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }

            // The header peek leaves this frame to the full decoder, which reports it.
            h.Transport.Socket(0).SendText(bad);
            h.Transport.Socket(0).SendText(Events.Like(T0 + 12));
        });
        h.Scheduler.AdvanceTo(Harness.Seconds(1));

        Assert.That(malformed.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1), "only the sound frame is a drop");
    }

    [Test]
    public void SubscribeAsync_ConnectionWhoseEventsAllFindTheQueueFull_StillResetsTheBackoff()
    {
        // The handler never returns, so its queue stays full across the reconnect, and every event of the second
        // connection finds it full. The first of them is still built and passed on: that is the progress that resets the
        // backoff (an unbuilt drop is not seen by the retry).
        using var h = new Harness();
        h.Options = h.Options with { BufferCapacity = 2 };
        var stuck = new TaskCompletionSource();
        using var sub = JetstreamObservable.Connect(h.Options).SubscribeAsync((_, _) => stuck.Task);
        void Burst(int socket, int first)
        {
            for (var i = first; i < first + 10; i++)
            {
                h.Transport.Socket(socket).SendText(Events.Like(T0 + i));
            }
        }

        // Event 1 goes to the handler, 2 waits; then 11 fills the queue again before the connection drops.
        h.At(10, () => Burst(0, 1));
        h.At(20, () =>
        {
            Burst(0, 11);
            h.Transport.Socket(0).Drop();
        });
        h.Scheduler.AdvanceTo(Harness.Seconds(1) + 100);
        Assert.That(h.Transport.Attempts, Has.Count.EqualTo(2));
        h.At(Harness.Seconds(2), () =>
        {
            Burst(1, 21);
            h.Transport.Socket(1).Drop();
        });
        h.Scheduler.AdvanceTo(Harness.Seconds(10));

        Assert.That(sub.Dropped, Is.EqualTo(8 + 9 + 10), "the second connection's ten all found the queue full");
        Assert.That(h.Transport.Attempts[2].Time, Is.EqualTo(Harness.Seconds(3)), "back to the initial delay (1 s), not doubled");
        stuck.SetResult();
    }

    /// <summary>What building one of the test's events allocates (about 700 B), by the public decoder, on this thread.</summary>
    private static double BuildBytes()
    {
        var frame = Encoding.UTF8.GetBytes(Events.Like(T0));
        _ = JetstreamEventDecoder.Decode(frame);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _ = JetstreamEventDecoder.Decode(frame);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;
    }

    /// <summary>
    /// Fills the buffer, then measures what the reader allocates (on this thread: the scripted socket completes its
    /// receive inline) for <see cref="Burst"/> more events that find it full, per event. Reading a message costs something
    /// of its own (in a Debug build the socket's and the assembler's async state machines are objects, about 300 B), but
    /// well under what building the event would add (the reader built and then dropped each one before #16: about 1.1 KB).
    /// </summary>
    private static double ReaderBytesPerDrop(Harness h)
    {
        h.Scheduler.AdvanceTo(5);
        var socket = h.Transport.Socket(0);
        for (var i = 1; i <= Capacity; i++)
        {
            socket.SendText(Events.Like(T0 + i));
        }

        var frames = Enumerable.Range(Capacity + 1, Burst).Select(i => Encoding.UTF8.GetBytes(Events.Like(T0 + i))).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        socket.SendAll(frames);

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Burst;
    }
}
