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
[CancelAfter(CancelAfterMs)]
public sealed class StallTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(1); // the smallest allowed

    [TestCase(JetstreamProtocol.V1, ServerFlavor.Current)]
    [TestCase(JetstreamProtocol.V1, ServerFlavor.Legacy)]
    [TestCase(JetstreamProtocol.V2, ServerFlavor.Current)]
    public async Task Connect_ServerStallsTwice_ReconnectsAfterTheIdleTimeoutAndResumesWithoutAGap(JetstreamProtocol protocol, ServerFlavor flavor, CancellationToken token)
    {
        // The first connection stalls after 300 events; the second, which starts with the replayed event at the
        // cursor, after 200 more (201 sent); the third serves the rest.
        var total = 1_000 * Factor;
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, total),
            Flavor = flavor,
            Faults = new FaultPlan().Next(s => s.StallAfter(300)).Next(s => s.StallAfter(201)),
        }, token);
        using var meters = new TestMeterFactory();
        using var totals = new MetricTotals(meters);
        var options = Options(server, meters, protocol) with { IdleTimeout = IdleTimeout };

        var clock = Stopwatch.StartNew();
        var received = await JetstreamObservable.Connect(options).Take(total).ToList().ToTask(token).WaitAsync(Deadline, token);
        clock.Stop();

        Assert.That(received.Select(Index), Is.EqualTo(Indexes(total)), "every event once, in order");
        var connections = server.Connections;
        Assert.That(connections, Has.Count.EqualTo(3));
        Assert.That(connections.Take(2).Select(c => c.EndReason), Has.All.StartWith("stalled by fault"));

        // Resumed from the last event delivered before each stall: the 300th, then the 500th.
        var cursors = connections.Skip(1).Select(c => c.RequestedCursor).ToList();
        Assert.That(cursors, Is.EqualTo(new long?[] { received[299].Cursor, received[499].Cursor }));
        Assert.That(totals["jetstream.client.reconnects"], Is.EqualTo(2));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(2 * IdleTimeout), "each stall lasted the idle timeout");
        Report($"stall {protocol} {flavor}: {total:N0} events, 2 stalls, {clock.Elapsed.TotalSeconds:F1} s");
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
