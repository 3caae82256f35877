using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>Which script each connection gets, without a socket.</summary>
public sealed class FaultPlanTests
{
    private static List<long?> DropPoints(FaultPlan plan, int connections) =>
        Enumerable.Range(0, connections).Select(_ => plan.Take()?.Steps.Single().AfterEvents).ToList();

    [Test]
    public void RandomDrops_SameSeed_SameDropPoints()
    {
        var first = DropPoints(new FaultPlan().RandomDrops(seed: 42, minEvents: 10, maxEvents: 1_000), 20);
        var second = DropPoints(new FaultPlan().RandomDrops(seed: 42, minEvents: 10, maxEvents: 1_000), 20);
        var other = DropPoints(new FaultPlan().RandomDrops(seed: 43, minEvents: 10, maxEvents: 1_000), 20);

        Assert.That(second, Is.EqualTo(first));
        Assert.That(other, Is.Not.EqualTo(first));
        Assert.That(first, Has.All.InRange(10, 1_000));
        Assert.That(first.Distinct().Count(), Is.GreaterThan(1));
        Assert.That(new FaultPlan().RandomDrops(1, 10, 1_000).Take()!.Steps.Single().Action, Is.EqualTo(FaultAction.Drop));
    }

    [Test]
    public void RandomDrops_MinEqualsMax_DropsExactlyThere()
    {
        Assert.That(DropPoints(new FaultPlan().RandomDrops(seed: 1, minEvents: 7, maxEvents: 7), 5), Has.All.EqualTo(7));
    }

    [Test]
    public void RandomDrops_ConnectionLimit_LaterConnectionsGetNoScript()
    {
        var plan = new FaultPlan().RandomDrops(seed: 1, minEvents: 0, maxEvents: 5, connections: 2);

        Assert.That(DropPoints(plan, 4).Select(p => p.HasValue), Is.EqualTo(new[] { true, true, false, false }));
    }

    [Test]
    public void Next_QueuedScripts_ComeFirstInOrderThenRandomDrops()
    {
        var a = new ConnectionScript().StallAfter(1);
        var b = new ConnectionScript().RejectUpgrade(500, "oops");
        var plan = new FaultPlan().RandomDrops(seed: 3, minEvents: 1, maxEvents: 2, connections: 1).Next(a).Next(b);

        Assert.That(plan.Take(), Is.SameAs(a));
        Assert.That(plan.Take(), Is.SameAs(b));
        Assert.That(plan.Take()!.Steps.Single().Action, Is.EqualTo(FaultAction.Drop));
        Assert.That(plan.Take(), Is.Null);
    }

    [Test]
    public void WarmUp_N_QueuesN503Rejections()
    {
        var plan = new FaultPlan().WarmUp(2, "service not ready: cursor replay warming up");

        var scripts = new[] { plan.Take(), plan.Take(), plan.Take() };

        Assert.That(scripts[0]!.RejectStatus, Is.EqualTo(503));
        Assert.That(scripts[1]!.RejectBody, Is.EqualTo("service not ready: cursor replay warming up"));
        Assert.That(scripts[2], Is.Null);
    }

    [Test]
    public void RandomDrops_BadRange_Throws()
    {
        Assert.That(() => new FaultPlan().RandomDrops(1, -1, 5), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new FaultPlan().RandomDrops(1, 6, 5), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Steps_AddedOutOfOrder_FireInEventOrder()
    {
        var script = new ConnectionScript().DropAfter(10).InjectAfter(2, MalformedFrameKind.Empty).StallAfter(5);

        Assert.That(script.Steps.Select(s => s.AfterEvents), Is.EqualTo(new long[] { 2, 5, 10 }));
        Assert.That(() => script.DropAfter(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => script.RejectUpgrade(101, string.Empty), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
