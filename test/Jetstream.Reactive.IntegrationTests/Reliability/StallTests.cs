using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.IntegrationTests.Reliability.FaultSuite;

namespace Jetstream.Reactive.IntegrationTests.Reliability;

/// <summary>
/// Stall: the server keeps the socket open (it still answers pings) but sends nothing. Only the idle timeout can tell;
/// the client drops the connection after <see cref="JetstreamOptions.IdleTimeout"/> and resumes from the cursor.
/// </summary>
[NonParallelizable] // Real idle timeouts with exact connection counts: a busy neighbour would add a reconnect.
[CancelAfter(CancelAfterMs)]
public sealed class StallTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(1); // the smallest allowed

    [TestCase(JetstreamProtocol.V1, ServerFlavor.Current)]
    [TestCase(JetstreamProtocol.V1, ServerFlavor.Legacy)]
    [TestCase(JetstreamProtocol.V2, ServerFlavor.Current)]
    public async Task Connect_ServerStallsRepeatedly_ReconnectsAfterTheIdleTimeoutAndResumesWithoutAGap(JetstreamProtocol protocol, ServerFlavor flavor, CancellationToken token)
    {
        // The first connection stalls after 300 events; each next one, which starts with the replayed event at the
        // cursor, after 200 more (201 sent). Two stalls, twenty in the soak; the last connection serves the rest.
        var total = 1_000 * Factor;
        var stalls = 2 * Factor;
        var faults = new FaultPlan().Next(s => s.StallAfter(300));
        for (var i = 1; i < stalls; i++)
        {
            faults.Next(s => s.StallAfter(201));
        }

        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, total),
            Flavor = flavor,
            Faults = faults,
        }, token);
        using var meters = new TestMeterFactory();
        using var totals = new MetricTotals(meters);
        var options = Options(server, meters, protocol) with { IdleTimeout = IdleTimeout };

        var clock = Stopwatch.StartNew();
        var received = await JetstreamObservable.Connect(options).Take(total).ToList().ToTask(token).WaitAsync(Deadline, token);
        clock.Stop();

        // On a loaded machine a handshake or a gap between events can also outlast the 1 s idle timeout and add a
        // reconnect (which then takes the next stall script), so the counts are at-least and the cursors are checked
        // against what was delivered, not against fixed positions.
        Assert.That(received.Select(Index), Is.EqualTo(Indexes(total)), "every event once, in order");
        var connections = server.Connections;
        Assert.That(connections, Has.Count.GreaterThanOrEqualTo(stalls + 1));
        Assert.That(connections.Take(connections.Count - 1).Count(c => c.EventsSent > 0), Is.GreaterThanOrEqualTo(stalls), "the stalls came after events");

        // A stalled connection stays open until the client leaves it.
        await Task.WhenAll(connections.Take(connections.Count - 1).Select(c => c.Ended)).WaitAsync(Deadline, token);

        // Each reconnect after a delivery resumed from a delivered event, never going back.
        var delivered = received.Select(e => e.Cursor).ToHashSet();
        var resumed = connections.Skip(1).Select(c => c.RequestedCursor).Where(c => c is not null).Select(c => c!.Value).ToList();
        Assert.That(resumed, Has.Count.GreaterThanOrEqualTo(stalls), "every reconnect after a stall resumed by cursor");
        Assert.That(resumed, Has.All.Matches<long>(delivered.Contains), "each cursor is a delivered event's");
        Assert.That(resumed, Is.Ordered, "never back");
        Assert.That(totals["jetstream.client.reconnects"], Is.EqualTo(connections.Count - 1));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(stalls * IdleTimeout), "each stall lasted the idle timeout");
        Report($"stall {protocol} {flavor}: {total:N0} events, {stalls} stalls, {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Test]
    public async Task Connect_ServerStallsBeforeTheFirstEvent_ReconnectsWithoutACursor(CancellationToken token)
    {
        // Nothing was delivered, so there is no cursor to resume from: the retry starts where the first would have.
        const int Total = 300;
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, Total),
            Faults = new FaultPlan().Next(s => s.StallAfter(0)),
        }, token);
        var options = Options(server) with { IdleTimeout = IdleTimeout };

        var received = await JetstreamObservable.Connect(options).Take(Total).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(Index), Is.EqualTo(Indexes(Total)));
        Assert.That(server.Connections, Has.Count.GreaterThanOrEqualTo(2), "the stall was left after the idle timeout");
        Assert.That(server.Connections.Select(c => c.RequestedCursor).Take(2), Is.EqualTo(new long?[] { null, null }), "no cursor to resume from");
    }
}
