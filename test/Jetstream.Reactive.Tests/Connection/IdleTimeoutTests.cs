using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Connection;

/// <summary>The idle timeout: a silent socket or a hanging handshake is dropped and retried; an infinite timeout never fires.</summary>
public sealed class IdleTimeoutTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_SocketSilent_IdleTimeoutDropsAndReconnects()
    {
        using var reconnects = _h.Meters.Collect<long>("jetstream.client.reconnects");
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(Seconds(30), () => _h.Transport.Socket(0).SendText(Events.Like(1_000)));
        _h.At(Seconds(80), () => _h.Transport.Socket(0).SendText("not json"));
        _h.Scheduler.AdvanceTo(Seconds(140) - 1);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "any message, even a malformed one, proves the connection alive");

        _h.Scheduler.AdvanceTo(Seconds(140));
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True);
        Assert.That(_h.LogsWithId(1009), Has.Count.EqualTo(1));

        _h.Scheduler.AdvanceTo(Seconds(141));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo("1000"));
        Assert.That(reconnects.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "failure" }));
    }

    [Test]
    public void Connect_HandshakeHangs_IdleTimeoutAbandonsIt()
    {
        _h.Transport.ThenHang();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(61));

        Assert.That(_h.Transport.Attempts.Select(a => a.Time), Is.EqualTo(new[] { 0, Seconds(61) }));
    }

    [Test]
    public void Connect_IdleTimeoutInfinite_NeverTimesOut()
    {
        _h.Options = _h.Options with { IdleTimeout = Timeout.InfiniteTimeSpan };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(86_400));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(_h.Transport.Socket(0).ReceivePending, Is.True);
    }
}
