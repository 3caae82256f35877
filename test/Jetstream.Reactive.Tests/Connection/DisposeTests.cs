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

/// <summary>Disposing the subscription closes the socket and stops retrying, also during a backoff.</summary>
public sealed class DisposeTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_Disposed_ClosesSocketAndStopsRetrying()
    {
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(1)));
        _h.Scheduler.AdvanceTo(200);
        sub.Dispose();
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True);

        _h.Scheduler.AdvanceTo(Seconds(600));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_DisposedDuringBackoff_NeverReconnects()
    {
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(0.5));
        sub.Dispose();
        sub.Dispose();
        _h.Scheduler.AdvanceTo(Seconds(600));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }
}
