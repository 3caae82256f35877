using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Jetstream.Reactive.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>Each handler's buffer is bounded in bytes as well as in events.</summary>
public sealed class HandlerByteBudgetTests
{
    [Test]
    public void OnNext_BigEventsOverTheByteLimit_DroppedForThatHandlerAndCounted()
    {
        var registration = new HandlerRegistration("big", typeof(object), 1, null, (_, _, _) => Task.CompletedTask);
        var worker = new HandlerWorker(registration, 1_000, null!, NullLogger.Instance, new HostingMetrics(null, () => []), TimeProvider.System, byteLimit: 100 * 1024);

        // Nothing drains (the handler's scheduler is never advanced): 30 KB records, so three fit in 100 KiB.
        var events = new Subject<JetstreamEvent>();
        worker.Start(events, new HistoricalScheduler());
        for (var i = 1; i <= 10; i++)
        {
            events.OnNext(Big(i, 30_000));
        }

        var snapshot = worker.Snapshot();
        Assert.That(snapshot.Pending, Is.EqualTo(3));
        Assert.That(snapshot.Dropped, Is.EqualTo(7));
    }

    [Test]
    public void OnNext_OneEventLargerThanTheBudgetIntoAnEmptyBuffer_Accepted()
    {
        var registration = new HandlerRegistration("big", typeof(object), 1, null, (_, _, _) => Task.CompletedTask);
        var worker = new HandlerWorker(registration, 1_000, null!, NullLogger.Instance, new HostingMetrics(null, () => []), TimeProvider.System, byteLimit: 64 * 1024);

        var events = new Subject<JetstreamEvent>();
        worker.Start(events, new HistoricalScheduler());
        events.OnNext(Big(1, 200_000));

        Assert.That(worker.Snapshot().Pending, Is.EqualTo(1));
    }

    private static CommitEvent Big(long timeUs, int bytes) =>
        new("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", timeUs, new JetstreamCommit("3mmoojp7vgo2g", CommitOperation.Create, "app.bsky.feed.post", "3mmoojp4cd221", null, new byte[bytes]));
}
