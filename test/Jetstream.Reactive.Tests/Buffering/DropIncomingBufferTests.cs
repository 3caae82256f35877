using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Buffering;

/// <summary>The connection's bounded buffer drops the incoming event when full, counts it and warns once per episode.</summary>
public sealed class DropIncomingBufferTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_BufferFull_DropsIncomingCountsAndWarnsOncePerEpisode()
    {
        _h.Options = _h.Options with { BufferCapacity = 4 };
        using var dropped = _h.Meters.Collect<long>("jetstream.client.events.dropped");
        using var depth = _h.Meters.Collect<long>("jetstream.client.buffer.depth");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);

        // Ten events read in one go, before the subscriber's drain runs: four fit, six are dropped.
        _h.At(100, () =>
        {
            for (var i = 1; i <= 10; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(i));
            }
        });
        _h.At(200, () => _h.Transport.Socket(0).SendText(Events.Like(11)));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => m.Value.Value.TimeUs), Is.EqualTo(new[] { 1L, 2, 3, 4, 11 }), "the queued events are kept, the incoming ones dropped");
        Assert.That(observer.Messages.Select(m => m.Time).Take(4), Is.All.EqualTo(101));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(6));
        Assert.That(depth.GetMeasurementSnapshot().EvaluateAsCounter(), Is.Zero, "every queued event left the buffer");
        Assert.That(_h.LogsWithId(1007), Has.Count.EqualTo(1), "one warning per episode");
        Assert.That(_h.LogsWithId(1007)[0].Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
        Assert.That(_h.LogsWithId(1008).Single().Message, Does.Contain("6 events were dropped"));
    }
}
