using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Transport;

/// <summary>
/// An exception type the client does not know, from a custom <see cref="Jetstream.Reactive.Transport.IJetstreamTransport"/>
/// or its socket, is "passed through as it is" and not retried (docs/reconnection-and-cursors.md, the last row of
/// "What is retried"): the stream ends with <c>OnError</c> carrying that very exception, after the events already
/// queued, with no reconnect and nothing left on the scheduler.
/// </summary>
public sealed class CustomTransportErrorTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [TestCase(true, TestName = "Connect_CustomTransportThrowsUnknownExceptionFromConnect_EndsWithThatExceptionAndNeverRetries")]
    [TestCase(false, TestName = "Connect_CustomTransportFaultsConnectTaskWithUnknownException_EndsWithThatExceptionAndNeverRetries")]
    public void Connect_UnknownExceptionFromConnect(bool synchronous)
    {
        var bug = new InvalidOperationException("custom transport bug");
        if (synchronous)
        {
            _h.Transport.ThenThrow(bug);
        }
        else
        {
            _h.Transport.ThenFail(bug);
        }

        using var reconnects = _h.Meters.Collect<long>("jetstream.client.reconnects");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(600));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(observer.Messages, Has.Count.EqualTo(1));
            Assert.That(observer.Messages[0].Value.Exception, Is.SameAs(bug), "passed through as it is");
            Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "not retried");
            Assert.That(reconnects.GetMeasurementSnapshot(), Is.Empty);
            Assert.That(_h.LogsWithId(1004).Single().Exception, Is.SameAs(bug), "logged as ConnectionFailed");
            Assert.That(_h.Scheduler.NextDueTime, Is.Null, "nothing left on the scheduler");
        }
    }

    [Test]
    public void Connect_CustomSocketThrowsUnknownExceptionMidStream_DeliversQueuedEventsThenEndsWithThatException()
    {
        var bug = new NotSupportedException("custom socket bug");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(1_000));
            _h.Transport.Socket(0).SendText(Events.Like(2_000));
            _h.Transport.Socket(0).Fail(bug);
        });
        _h.Scheduler.AdvanceTo(Seconds(600));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(observer.Messages.Take(2).Select(m => m.Value.Value.TimeUs), Is.EqualTo(new[] { 1_000L, 2_000L }), "the events already queued come first");
            Assert.That(observer.Messages, Has.Count.EqualTo(3));
            Assert.That(observer.Messages[^1].Value.Exception, Is.SameAs(bug));
            Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "not retried");
            Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True, "the socket is closed");
            Assert.That(_h.Scheduler.NextDueTime, Is.Null, "nothing left on the scheduler");
        }
    }
}
