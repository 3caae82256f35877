using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Linq;

/// <summary>SubscribeAsync on a connected stream uses that stream's capacity and logger.</summary>
public sealed class SubscribeAsyncStreamLoggerTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void SubscribeAsync_OnStreamWithItsOwnCapacity_WarnsWithThatCapacityAndLogsHandlerFailuresToTheStreamLogger()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).SubscribeAsync(
            (e, _) => e.TimeUs == 1 ? throw new InvalidOperationException("handler bug") : Task.CompletedTask,
            _ => { },
            options: new AsyncHandlerOptions { BufferCapacity = 3, OnHandlerError = HandlerErrorBehavior.Continue });
        _h.At(100, () =>
        {
            for (var i = 1; i <= 5; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(i));
            }
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.LogsWithId(1007).Single().Message, Does.Contain("its 3 events"));
        Assert.That(_h.LogsWithId(1012).Single().Exception!.Message, Is.EqualTo("handler bug"));
        Assert.That(sub.Handled, Is.EqualTo(3));
    }
}
