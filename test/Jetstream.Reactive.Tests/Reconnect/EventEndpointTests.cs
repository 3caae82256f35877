using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Reconnect;

/// <summary>
/// <see cref="JetstreamEvent.EndpointIndex"/> names the host each event was read from, so code that stores cursors itself
/// (the NATS relay's host header) never files one host's cursor under another.
/// </summary>
public sealed class EventEndpointTests
{
    private const long T = Events.RealTimeUs;

    [Test]
    public void EndpointIndex_AfterFailover_NamesTheHostEachEventCameFrom()
    {
        using var h = new Harness();
        h.Options = h.Options with
        {
            Endpoint = JetstreamOptions.DefaultEndpoint,
            Endpoints = [new Uri("ws://127.0.0.1:6001"), new Uri("ws://127.0.0.1:6002")],
            FailoverAfterAttempts = 1,
        };
        var observer = h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(h.Options).Subscribe(observer);
        h.At(100, () => h.Transport.Socket(0).SendText(Events.Like(T, "from-a")));
        h.At(200, () =>
        {
            h.Transport.ThenFail(new JetstreamConnectionException("connection refused", null));
            h.Transport.Socket(0).Drop();
        });
        h.Scheduler.AdvanceTo(Seconds(10));
        var b = h.Transport.Attempts.Last();
        Assert.That(b.Uri.Port, Is.EqualTo(6002));
        h.At(Seconds(11), () => b.Socket!.SendText(Events.Like(T + 100, "from-b")));
        h.Scheduler.AdvanceTo(Seconds(12));

        var received = observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey + "@" + m.Value.Value.EndpointIndex);
        Assert.That(received, Is.EqualTo(new[] { "from-a@0", "from-b@1" }));
    }
}
