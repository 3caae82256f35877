using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Connection;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Reconnect;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Reconnect;

/// <summary>The reconnect decision is a returned value, and a failover is decided by it, not by state read back later.</summary>
public sealed class ReconnectPolicyTests
{
    private static readonly Uri A = new("ws://127.0.0.1:6008");
    private static readonly Uri B = new("ws://127.0.0.1:6009");

    [Test]
    public void Decide_PlannedRestarts_ReconnectNow()
    {
        var session = NewSession(new JetstreamOptions { Endpoint = A });
        Assert.Multiple(() =>
        {
            Assert.That(session.Reconnect.Decide(new FilterChangedException()), Is.EqualTo(ReconnectDecision.Now(ReconnectPolicy.ReconnectFilterUpdate)));
            Assert.That(session.Reconnect.Decide(new OverflowPauseException()), Is.EqualTo(ReconnectDecision.Now(ReconnectPolicy.ReconnectOverflowPause)));
        });
    }

    [Test]
    public void Decide_RetryableAndFinalErrors_BackoffOrStop()
    {
        var session = NewSession(new JetstreamOptions { Endpoint = A });
        Assert.Multiple(() =>
        {
            Assert.That(session.Reconnect.Decide(new JetstreamConnectionException("lost", null)), Is.EqualTo(ReconnectDecision.AfterBackoff()));
            Assert.That(session.Reconnect.Decide(new InvalidOperationException("a bug")), Is.EqualTo(ReconnectDecision.Stop));
        });
    }

    [Test]
    public void Decide_FailuresInARowOnOneHost_MovesTheNextRequestToTheNextHost()
    {
        var session = NewSession(new JetstreamOptions { Endpoints = [A, B], FailoverAfterAttempts = 2 });
        var lost = new JetstreamConnectionException("lost", null);

        session.Rotation.AttemptStarted();
        session.Reconnect.Decide(lost);
        Assert.That(session.Filters.Request.BuildUri(null, null).Port, Is.EqualTo(A.Port), "one failure: stays");

        session.Rotation.AttemptStarted();
        session.Reconnect.Decide(lost);
        Assert.Multiple(() =>
        {
            Assert.That(session.Rotation.Current, Is.EqualTo(1));
            Assert.That(session.Filters.Request.BuildUri(null, null).Port, Is.EqualTo(B.Port), "the next request goes to the next host");
        });
    }

    [Test]
    public void Decide_AttemptThatDeliveredThenFailed_DoesNotCountTowardFailover()
    {
        var session = NewSession(new JetstreamOptions { Endpoints = [A, B], FailoverAfterAttempts = 1 });
        session.Rotation.AttemptStarted();
        session.Rotation.Progress();
        session.Reconnect.Decide(new JetstreamConnectionException("lost", null));
        Assert.That(session.Rotation.Current, Is.EqualTo(0));
    }

    private static ConnectionParts NewSession(JetstreamOptions options)
    {
        var metrics = JetstreamMetrics.For(new TestMeterFactory());
        return new ConnectionParts(options, metrics, NullLogger.Instance, new ZstdDictionaryCache(null, NullLogger.Instance), 16, long.MaxValue);
    }
}
