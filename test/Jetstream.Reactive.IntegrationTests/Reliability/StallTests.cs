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

        Assert.That(received.Select(Index), Is.EqualTo(Indexes(total)), "every event once, in order");
        var connections = server.Connections;
        Assert.That(connections, Has.Count.EqualTo(stalls + 1));
        Assert.That(connections.Take(stalls).Select(c => c.EventsSent), Is.EqualTo(Enumerable.Repeat(201L, stalls).Prepend(300L).Take(stalls)), "each sent its events, then nothing");

        // A stalled connection stays open until the client leaves it.
        await Task.WhenAll(connections.Take(stalls).Select(c => c.Ended)).WaitAsync(Deadline, token);

        // Each resumed from the last event delivered before its stall: the 300th, the 500th, the 700th, …
        var expectedCursors = Enumerable.Range(0, stalls).Select(k => (long?)received[299 + (200 * k)].Cursor);
        Assert.That(connections.Skip(1).Select(c => c.RequestedCursor), Is.EqualTo(expectedCursors));
        Assert.That(totals["jetstream.client.reconnects"], Is.EqualTo(stalls));
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
        Assert.That(server.Connections.Select(c => c.RequestedCursor), Is.EqualTo(new long?[] { null, null }));
    }
}
