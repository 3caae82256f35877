using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.IntegrationTests.Reliability.FaultSuite;

namespace Jetstream.Reactive.IntegrationTests.Reliability;

/// <summary>
/// Gapless: a long stream cut by many seeded server-side TCP drops still reaches the subscriber whole, each event
/// once and in order, on every protocol, flavor and compression.
/// </summary>
[CancelAfter(CancelAfterMs)]
public sealed class GaplessTests
{
    private static readonly object[] Cases =
    [
        new object[] { JetstreamProtocol.V1, ServerFlavor.Current, JetstreamCompression.None },
        new object[] { JetstreamProtocol.V1, ServerFlavor.Legacy, JetstreamCompression.None },
        new object[] { JetstreamProtocol.V1, ServerFlavor.Current, JetstreamCompression.Zstd },
        new object[] { JetstreamProtocol.V1, ServerFlavor.Legacy, JetstreamCompression.Zstd },
        new object[] { JetstreamProtocol.V2, ServerFlavor.Current, JetstreamCompression.None },
        new object[] { JetstreamProtocol.V2, ServerFlavor.Current, JetstreamCompression.Zstd },
    ];

    [TestCaseSource(nameof(Cases))]
    public async Task Connect_RandomServerDisconnects_EveryEventExactlyOnceInOrder(JetstreamProtocol protocol, ServerFlavor flavor, JetstreamCompression compression, CancellationToken token)
    {
        // Each connection sends at most MaxRun events before the server ends it without a close frame, so
        // delivering Total events takes at least Total / MaxRun = 25 connections (250 in the soak): at least 24 drops.
        const int MinRun = 500;
        const int MaxRun = 4_000;
        var total = 100_000 * Factor;
        var seed = 20_260_000 + (int)protocol * 10 + (int)flavor * 2 + (int)compression;
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, total),
            RetainedEvents = total, // every resume finds its cursor
            Flavor = flavor,
            Faults = new FaultPlan().RandomDrops(seed, MinRun, MaxRun),
        }, token);
        using var meters = new TestMeterFactory();
        using var totals = new MetricTotals(meters);

        // ResumeFromCursor rather than the default drop: on a loaded machine the subscriber can fall a buffer behind the
        // reader, and a dropped event would leave Take(total) waiting until the deadline. A full buffer pauses the read
        // and resumes from the cursor instead, which is one more reconnect of the kind this test is about.
        var clock = Stopwatch.StartNew();
        var received = await JetstreamObservable.Connect(Options(server, meters, protocol, compression) with { Overflow = JetstreamOverflow.ResumeFromCursor })
            .Take(total).ToList().ToTask(token).WaitAsync(Deadline, token);
        clock.Stop();

        Assert.That(received.Select(Index), Is.EqualTo(Indexes(total)), "every event exactly once, in order");
        Assert.That(received.Zip(received.Skip(1)).Count(p => p.First.Cursor >= p.Second.Cursor), Is.Zero, "cursors strictly increase");
        if (protocol == JetstreamProtocol.V2 || flavor == ServerFlavor.Current)
        {
            Assert.That(received.Select(e => e.ServerCursor), Is.EqualTo(Indexes(total, start: 1).Select(s => (long?)s)), "the server's seq is the cursor");
        }
        else
        {
            Assert.That(received.Select(e => e.ServerCursor), Has.All.Null, "a legacy server's cursor is time_us");
        }

        var connections = server.Connections;
        var drops = connections.Count(c => c.EndReason?.StartsWith("dropped by fault", StringComparison.Ordinal) == true);
        Assert.That(drops, Is.GreaterThanOrEqualTo(20), "server-side disconnects");
        Assert.That(connections.Select(c => c.Status), Has.All.EqualTo(101));
        Assert.That(connections.Skip(1).Select(c => c.RequestedCursor), Has.All.Not.Null, "every reconnect resumed by cursor");
        Assert.That(connections.Select(c => c.Compressed), Has.All.EqualTo(compression == JetstreamCompression.Zstd));
        if (protocol == JetstreamProtocol.V2 && compression == JetstreamCompression.Zstd)
        {
            Assert.That(connections.Select(c => c.DictionaryId), Has.All.EqualTo(JetstreamZstdDictionaries.BundledV2Id));
        }

        // What reached the client is what was delivered plus the inclusive replays it skipped: nothing else went missing.
        Assert.That(totals["jetstream.client.events.dropped"], Is.Zero, "a full buffer pauses and resumes instead of dropping");
        Assert.That(totals["jetstream.client.frames.malformed"], Is.Zero);
        Assert.That(totals["jetstream.client.events.received"], Is.EqualTo(total + totals["jetstream.client.events.skipped", "duplicate"]));
        Assert.That(totals["jetstream.client.events.skipped", "duplicate"], Is.GreaterThanOrEqualTo(drops - 1).And.LessThanOrEqualTo(connections.Sum(c => c.EventsSent) - total));

        Report($"gapless {protocol} {flavor} {compression}: {total:N0} events, {drops:N0} server disconnects, {connections.Count:N0} connections, " +
            $"{totals["jetstream.client.events.skipped", "duplicate"]:N0} replayed duplicates skipped, {clock.Elapsed.TotalSeconds:F1} s");
    }
}
