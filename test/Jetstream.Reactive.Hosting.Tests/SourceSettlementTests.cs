using System.Collections.Concurrent;
using System.Text;
using Jetstream.Reactive.Hosting.Internal;
using Jetstream.Reactive.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>How an event source's events are settled from what every handler did with them (UseEventSource).</summary>
public sealed class SourceSettlementTests
{
    [Test]
    public async Task Report_EveryHandlerDone_HandledOnlyWhenAllSucceededNotHandledWhenOneDroppedFailedWhenOneThrew()
    {
        var settled = NewLog();
        var settlement = new SourceSettlement(2, NullLogger.Instance);
        var a = settlement.Wrap(Registration("a", failOn: 3));
        var b = settlement.Wrap(Registration("b"));
        var events = Enumerable.Range(1, 4).Select(i => settlement.Add(Sourced(i, settled))).ToList();

        // a never got event 2 (its buffer was full): it reports 1, then 3 (which throws), then 4.
        await a.Invoke(null!, [events[0]], CancellationToken.None);
        Assert.That(settled, Is.Empty, "b has not finished event 1 yet");
        Assert.That(async () => await a.Invoke(null!, [events[2]], CancellationToken.None), Throws.InvalidOperationException);
        await a.Invoke(null!, [events[3]], CancellationToken.None);
        await b.Invoke(null!, [events[0], events[1], events[2]], CancellationToken.None);
        await b.Invoke(null!, [events[3]], CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(settled[events[0]], Is.EqualTo(JetstreamEventOutcome.Handled));
            Assert.That(settled[events[1]], Is.EqualTo(JetstreamEventOutcome.NotHandled), "dropped by a's buffer");
            Assert.That(settled[events[2]], Is.EqualTo(JetstreamEventOutcome.Failed));
            Assert.That(settled[events[3]], Is.EqualTo(JetstreamEventOutcome.Handled));
            Assert.That(settlement.Outstanding, Is.Zero);
        });
    }

    [Test]
    public async Task CloseAsync_EventsNotFinished_NotHandledAndLaterOnesAtOnce()
    {
        var settled = NewLog();
        var settlement = new SourceSettlement(1, NullLogger.Instance);
        var a = settlement.Wrap(Registration("a"));
        var first = settlement.Add(Sourced(1, settled));
        var second = settlement.Add(Sourced(2, settled));
        await a.Invoke(null!, [first], CancellationToken.None);

        await settlement.CloseAsync(CancellationToken.None);
        var late = settlement.Add(Sourced(3, settled));

        Assert.Multiple(() =>
        {
            Assert.That(settled[first], Is.EqualTo(JetstreamEventOutcome.Handled));
            Assert.That(settled[second], Is.EqualTo(JetstreamEventOutcome.NotHandled));
            Assert.That(settled[late], Is.EqualTo(JetstreamEventOutcome.NotHandled));
            Assert.That(settled, Has.Count.EqualTo(3), "each settled once");
        });
    }

    private static HandlerRegistration Registration(string name, int failOn = -1) =>
        new(name, typeof(object), 100, null, (_, events, _) =>
            events.Any(e => e is CommitEvent c && c.Commit.RKey == "r" + failOn) ? throw new InvalidOperationException("handler failed") : Task.CompletedTask);

    private static ConcurrentDictionary<JetstreamEvent, JetstreamEventOutcome> NewLog() => new(ReferenceEqualityComparer.Instance);

    private static JetstreamSourcedEvent Sourced(int i, ConcurrentDictionary<JetstreamEvent, JetstreamEventOutcome> settled)
    {
        var e = JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(TestEvents.Commit("app.bsky.feed.post", rkey: "r" + i))).Event!;
        return new JetstreamSourcedEvent(e, outcome =>
        {
            Assert.That(settled.TryAdd(e, outcome), Is.True, "settled twice");
            return ValueTask.CompletedTask;
        });
    }
}
