using System.Net;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Connection;

/// <summary>JetstreamOptions.ConnectionStates: the public connection-state seam (what Hosting's health check follows).</summary>
public sealed class ConnectionStatesTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void ConnectionStates_FailThenConnect_ReportsConnectingReconnectingWithErrorThenConnected()
    {
        var states = new List<JetstreamConnectionState>();
        var refused = new JetstreamConnectionException("refused", null);
        _h.Options = _h.Options with { ConnectionStates = System.Reactive.Observer.Create<JetstreamConnectionState>(states.Add) };
        _h.Transport.ThenFail(refused);
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(states.Select(s => s.Status), Is.EqualTo(new[]
        {
            JetstreamConnectionStatus.Connecting,
            JetstreamConnectionStatus.Reconnecting,
            JetstreamConnectionStatus.Connecting,
            JetstreamConnectionStatus.Connected,
        }));
        Assert.Multiple(() =>
        {
            Assert.That(states[0].Attempt, Is.EqualTo(1));
            Assert.That(states[1].Attempt, Is.EqualTo(1));
            Assert.That(states[1].Error, Is.SameAs(refused));
            Assert.That(states[1].Delay, Is.GreaterThan(TimeSpan.Zero));
            Assert.That(states[2].Attempt, Is.EqualTo(2));
            Assert.That(states[3].Endpoint, Is.EqualTo("ws://127.0.0.1:6008/subscribe"));
        });
    }

    [Test]
    public void ConnectionStates_RejectedRequest_ReportsStoppedWithTheError()
    {
        var states = new List<JetstreamConnectionState>();
        _h.Options = _h.Options with { ConnectionStates = System.Reactive.Observer.Create<JetstreamConnectionState>(states.Add) };
        _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, "bad"));
        Exception? error = null;
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { }, e => error = e);
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(states.Select(s => s.Status), Is.EqualTo(new[] { JetstreamConnectionStatus.Connecting, JetstreamConnectionStatus.Stopped }));
        Assert.That(states[^1].Error, Is.SameAs(error));
    }

    [Test]
    public void ConnectionStates_ObserverThrows_StreamGoesOnAndTheFailureIsLogged()
    {
        _h.Options = _h.Options with { ConnectionStates = System.Reactive.Observer.Create<JetstreamConnectionState>(_ => throw new InvalidOperationException("observer failed")) };
        var events = 0;
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => events++);
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(1_700_000_000_000_000)));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(events, Is.EqualTo(1));
        Assert.That(_h.LogsWithId(1038), Is.Not.Empty);
    }
}
