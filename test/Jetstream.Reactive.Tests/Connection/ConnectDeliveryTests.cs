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

/// <summary>Events from one connection reach the observer in order at their ticks, and each subscription owns its connection.</summary>
public sealed class ConnectDeliveryTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_EventsArrive_DeliveredInOrderAtTheirTicks()
    {
        // Delivery goes through the buffer's drain, which TestScheduler runs one tick after it is scheduled.
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(1_000)));
        _h.At(200, () => _h.Transport.Socket(0).SendText(Events.Identity(2_000)));
        _h.At(300, () => _h.Transport.Socket(0).SendText(Events.Account(3_000)));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => (m.Time, m.Value.Value.TimeUs, m.Value.Value.Kind)), Is.EqualTo(new[]
        {
            (101L, 1_000L, JetstreamEventKind.Commit),
            (201L, 2_000L, JetstreamEventKind.Identity),
            (301L, 3_000L, JetstreamEventKind.Account),
        }));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(_h.Transport.Attempts[0].Uri.AbsolutePath, Is.EqualTo("/subscribe"));
    }

    [Test]
    public void Connect_EachSubscription_OwnsItsConnection()
    {
        var stream = JetstreamObservable.Connect(_h.Options);
        using var a = stream.Subscribe(_ => { });
        using var b = stream.Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
    }
}
