using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Reconnect;

/// <summary>The delay between attempts: capped exponential with jitter, reset by an event, growing while no progress is made.</summary>
public sealed class ReconnectBackoffTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_ConnectFailsRepeatedly_BackoffScheduleIsCappedExponentialWithJitter()
    {
        _h.Options = _h.Options with
        {
            Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8), Multiplier = 2, Jitter = 0.5, Randomizer = () => 0.5 },
        };
        for (var i = 0; i < 7; i++)
        {
            _h.Transport.ThenFail(new JetstreamConnectionException("connection refused", null));
        }

        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(60));

        // Delays are base × (1 − 0.5 × 0.5): 0.75, 1.5, 3, 6, then the 8 s cap × 0.75 = 6.
        var expected = new[] { 0, 0.75, 2.25, 5.25, 11.25, 17.25, 23.25, 29.25 }.Select(Seconds);
        Assert.That(_h.Transport.Attempts.Select(a => a.Time), Is.EqualTo(expected));
    }

    [Test]
    public void Connect_EventAfterFailures_ResetsBackoffToInitialDelay()
    {
        _h.Transport
            .ThenFail(new JetstreamConnectionException("refused", null))
            .ThenFail(new JetstreamConnectionException("refused", null))
            .ThenOpen();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });

        // Attempts at 0, 1 s, 3 s (delays 1 s and 2 s).
        _h.Scheduler.AdvanceTo(Seconds(3));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(3));
        _h.At(Seconds(4), () => _h.Transport.Socket(2).SendText(Events.Like(1_000)));
        _h.At(Seconds(5), () => _h.Transport.Socket(2).Drop());
        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(_h.Transport.Attempts[3].Time, Is.EqualTo(Seconds(6)), "progress resets the delay to InitialDelay");
    }

    [Test]
    public void Connect_DropWithoutProgress_KeepsGrowingTheDelay()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(10, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(1) + 10);
        _h.At(Seconds(1) + 20, () => _h.Transport.Socket(1).Drop());
        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(_h.Transport.Attempts.Select(a => a.Time).Take(3), Is.EqualTo(new[] { 0, Seconds(1) + 10, Seconds(3) + 20 }));
    }
}
