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

/// <summary>Which handshake statuses and close frames are retried and which end the stream with an error.</summary>
public sealed class ReconnectClassificationTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [TestCase(HttpStatusCode.BadRequest)]
    [TestCase(HttpStatusCode.Forbidden)]
    [TestCase(HttpStatusCode.NotFound)]
    [TestCase(HttpStatusCode.Redirect)]
    [TestCase(HttpStatusCode.OK)]
    public void Connect_HandshakeNotRetryable_EndsWithErrorCarryingStatusAndBody(HttpStatusCode status)
    {
        _h.Transport.ThenFail(new JetstreamHandshakeException(status, "invalid subscriber options: too many wanted DIDs"));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(120));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(observer.Messages, Has.Count.EqualTo(1));
        var error = observer.Messages[0].Value.Exception as JetstreamHandshakeException;
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.StatusCode, Is.EqualTo(status));
        Assert.That(error.Body, Does.Contain("too many wanted DIDs"));
        Assert.That(error.Message, Does.Contain(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("too many wanted DIDs"));
        Assert.That(_h.LogsWithId(1004), Has.Count.EqualTo(1), "the terminal failure is logged at Error");
    }

    [TestCase(HttpStatusCode.ServiceUnavailable)]
    [TestCase(HttpStatusCode.InternalServerError)]
    [TestCase(HttpStatusCode.RequestTimeout)]
    [TestCase(HttpStatusCode.TooManyRequests)]
    public void Connect_HandshakeRetryableStatus_Retries(HttpStatusCode status)
    {
        _h.Transport.ThenFail(new JetstreamHandshakeException(status, "service not ready: bootstrap in progress"));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(Seconds(1) + 5, () => _h.Transport.Socket(1).SendText(Events.Like(1_000)));
        _h.Scheduler.AdvanceTo(Seconds(5));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(observer.Messages.Select(m => m.Value.Kind), Is.EqualTo(new[] { NotificationKind.OnNext }));
    }

    [TestCase(WebSocketCloseStatus.InvalidPayloadData, "bad SubscriberSourcedMessage envelope")]
    [TestCase(WebSocketCloseStatus.PolicyViolation, "invalid collection")]
    [TestCase(WebSocketCloseStatus.MessageTooBig, "")]
    [TestCase(WebSocketCloseStatus.NormalClosure, "failed to parse subscriber options: invalid collection: x")]
    public void Connect_CloseThatBlamesTheRequest_EndsWithError(WebSocketCloseStatus status, string reason)
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).Close(status, reason));
        _h.Scheduler.AdvanceTo(Seconds(120));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        var error = observer.Messages.Single().Value.Exception as JetstreamConnectionClosedException;
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.CloseStatus, Is.EqualTo(status));
        Assert.That(error.IsRetryable, Is.False);
    }

    [TestCase(WebSocketCloseStatus.NormalClosure, "")]
    [TestCase(WebSocketCloseStatus.NormalClosure, "failed to replay events")]
    [TestCase(WebSocketCloseStatus.EndpointUnavailable, "server shutting down")]
    [TestCase(WebSocketCloseStatus.InternalServerError, "")]
    public void Connect_ServerGoingAwayOrNormalClose_Retries(WebSocketCloseStatus status, string reason)
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { }, _ => Assert.Fail("must not end"));
        _h.At(100, () => _h.Transport.Socket(0).Close(status, reason));
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(_h.Transport.Socket(0).State, Is.EqualTo(WebSocketState.Closed), "the client answers the close frame");
    }
}
