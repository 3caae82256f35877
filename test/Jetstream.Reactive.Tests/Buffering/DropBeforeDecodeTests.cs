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

    [Test]
    public void Connect_BufferFullAndHeaderMalformed_CountsTheFrameMalformedNotDropped()
    {
        using var h = new Harness();
        h.Options = h.Options with { BufferCapacity = Capacity };
        using var dropped = h.Meters.Collect<long>("jetstream.client.events.dropped");
        using var malformed = h.Meters.Collect<long>("jetstream.client.frames.malformed");
        using var sub = JetstreamObservable.Connect(h.Options).Subscribe(_ => { });
        h.At(10, () =>
        {
            for (var i = 1; i <= Capacity; i++)
            {
                h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }

            // time_us as a string: the header cannot be read, so the full decoder sees the frame and reports it.
            h.Transport.Socket(0).SendText(Events.Like(T0 + 11).Replace($"\"time_us\":{T0 + 11}", $"\"time_us\":\"{T0 + 11}\"", StringComparison.Ordinal));
            h.Transport.Socket(0).SendText(Events.Like(T0 + 12));
        });
        h.Scheduler.AdvanceTo(Harness.Seconds(1));

        Assert.That(malformed.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1), "only the sound frame is a drop");
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
