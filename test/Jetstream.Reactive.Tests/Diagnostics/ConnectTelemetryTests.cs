using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Diagnostics;

/// <summary>The received-events, bytes and lag metrics of a connection.</summary>
public sealed class ConnectTelemetryTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_Telemetry_CountsReceivedByKindBytesAndLag()
    {
        using var received = _h.Meters.Collect<long>("jetstream.client.events.received");
        using var bytes = _h.Meters.Collect<long>("jetstream.client.bytes.received");
        using var lag = _h.Meters.Collect<double>("jetstream.client.lag");
        var start = new DateTimeOffset(2026, 5, 25, 14, 23, 30, TimeSpan.Zero);
        _h.Scheduler.AdvanceTo(start.UtcTicks);
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });

        // Events stamped at the start, read 5 s later: 5 s of lag by the scheduler's clock.
        var timeUs = (start - DateTimeOffset.UnixEpoch).Ticks / 10;
        var like = Events.Like(timeUs);
        var identity = Events.Identity(timeUs);
        _h.At(start.UtcTicks + Seconds(5), () =>
        {
            _h.Transport.Socket(0).SendText(like);
            _h.Transport.Socket(0).SendText(identity);
        });
        _h.Scheduler.AdvanceTo(start.UtcTicks + Seconds(6));

        var kinds = received.GetMeasurementSnapshot().Select(m => (string)m.Tags["jetstream.event.kind"]!);
        Assert.That(kinds, Is.EqualTo(new[] { "commit", "identity" }));
        Assert.That(bytes.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(like.Length + identity.Length));
        Assert.That(lag.GetMeasurementSnapshot().Select(m => m.Value), Is.All.EqualTo(5.0).Within(1e-9));
    }
}
