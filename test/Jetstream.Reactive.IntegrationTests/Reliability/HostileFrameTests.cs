using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.IntegrationTests.Reliability.FaultSuite;

namespace Jetstream.Reactive.IntegrationTests.Reliability;

/// <summary>
/// Hostile frames: every kind the emulator can inject, alone and mixed into a stream, uncompressed and inside zstd.
/// Each is skipped and counted under its reason, the connection stays up, and every event around it arrives once, in
/// order. The one exception is invalid UTF-8 in a text frame, which the WebSocket layer itself must fail (RFC 6455
/// §8.1): that costs a reconnect from the cursor, never an event.
/// </summary>
[CancelAfter(CancelAfterMs)]
public sealed class HostileFrameTests
{
    private const string Malformed = "jetstream.client.frames.malformed";
    private const string Skipped = "jetstream.client.events.skipped";

    /// <summary>Every kind with the reason it is counted under: on an uncompressed connection, and inside zstd.</summary>
    private static readonly (MalformedFrameKind Kind, string? Text, string Zstd)[] Reasons =
    [
        (MalformedFrameKind.NotJson, "not_json", "not_json"),
        (MalformedFrameKind.JsonArray, "not_an_object", "not_an_object"),

        // A text frame that is not UTF-8 never reaches the decoder (see the class summary); inside zstd it does.
        (MalformedFrameKind.InvalidUtf8, null, "invalid_utf8"),
        (MalformedFrameKind.MissingDid, "missing_field", "missing_field"),
        (MalformedFrameKind.MissingTimeUs, "missing_field", "missing_field"),
        (MalformedFrameKind.MissingKind, "missing_field", "missing_field"),
        (MalformedFrameKind.WrongTypes, "wrong_type", "wrong_type"),
        (MalformedFrameKind.UnknownKind, "unknown_kind", "unknown_kind"),
        (MalformedFrameKind.DeepNesting, "too_deep", "too_deep"),

        // 50 MB against the default MaxMessageSize of 32 MiB. Compressed, the frame is small but declares 50 MB.
        (MalformedFrameKind.Oversized, "too_large", "decompressed_too_large"),

        // 64 MiB of zeros in a frame that does not declare its size: decompression stops at MaxMessageSize.
        (MalformedFrameKind.ZstdBomb, "decompressed_too_large", "decompressed_too_large"),
        (MalformedFrameKind.WrongDictionary, "zstd_dictionary_mismatch", "zstd_dictionary_mismatch"),
        (MalformedFrameKind.BinaryGarbage, "binary_frame", "binary_frame"),
        (MalformedFrameKind.Empty, "empty", "empty"),
    ];

    private static IEnumerable<TestCaseData> AloneCases() =>
        Reasons.SelectMany(r => new[]
        {
            r.Text is null ? null : new TestCaseData(r.Kind, JetstreamCompression.None, r.Text),
            new TestCaseData(r.Kind, JetstreamCompression.Zstd, r.Zstd),
        }).OfType<TestCaseData>();

    [TestCaseSource(nameof(AloneCases))]
    public async Task Connect_OneHostileFrame_CountedUnderItsReasonAndEveryEventDelivered(MalformedFrameKind kind, JetstreamCompression compression, string reason, CancellationToken token)
    {
        const int Total = 200;
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, Total),
            Faults = new FaultPlan().Next(s => s.InjectAfter(Total / 2, kind)),
        }, token);
        using var meters = new TestMeterFactory();
        using var malformed = meters.Collect<long>(Malformed);
        using var skipped = meters.Collect<long>(Skipped);

        var received = await JetstreamObservable.Connect(Options(server, meters, compression: compression))
            .Take(Total).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(Index), Is.EqualTo(Indexes(Total)), "every event before and after the frame, once, in order");
        var counted = ByReason(malformed).Concat(ByReason(skipped)).ToDictionary();
        Assert.That(counted, Is.EquivalentTo(new Dictionary<string, long> { [reason] = 1 }), "counted once, under its reason, and nothing else");
        Assert.That(server.Connections, Has.Count.EqualTo(1), "the frame did not cost the connection");
    }

    [Test]
    public async Task Connect_InvalidUtf8InATextFrame_TheWebSocketFailsAndTheStreamResumesFromTheCursor(CancellationToken token)
    {
        const int Total = 200;
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, Total),
            Faults = new FaultPlan().Next(s => s.InjectAfter(Total / 2, MalformedFrameKind.InvalidUtf8)),
        }, token);
        using var meters = new TestMeterFactory();
        using var malformed = meters.Collect<long>(Malformed);

        var received = await JetstreamObservable.Connect(Options(server, meters))
            .Take(Total).ToList().ToTask(token).WaitAsync(Deadline, token);

        Assert.That(received.Select(Index), Is.EqualTo(Indexes(Total)));
        Assert.That(malformed.GetMeasurementSnapshot(), Is.Empty, "the decoder never saw the frame");
        Assert.That(server.Connections, Has.Count.EqualTo(2));
        Assert.That(server.Connections[1].RequestedCursor, Is.EqualTo(Total / 2), "resumed from the last event before the frame");
    }

    [TestCase(JetstreamCompression.None)]
    [TestCase(JetstreamCompression.Zstd)]
    public async Task Connect_HostileFramesMixedIntoAStream_EachCountedAndEveryEventDelivered(JetstreamCompression compression, CancellationToken token)
    {
        // Every kind, several times, at seeded random places in a stream (the two heavy ones, a 50 MB frame and a
        // 64 MiB bomb, once a round). Compressed, it all happens on one connection. Uncompressed, invalid UTF-8 in a
        // text frame ends a connection, so the stream is cut in rounds: each connection but the last gets one round
        // and then that frame, and the next resumes from the cursor with the next round.
        var total = 20_000 * Factor;
        var rounds = 3 * Factor;
        var compressed = compression == JetstreamCompression.Zstd;
        var connections = compressed ? 1 : rounds;
        var perConnection = total / connections;
        var random = new Random(5_000 + (int)compression);
        var round = Reasons.Select(r => r.Kind)
            .Where(k => compressed || k != MalformedFrameKind.InvalidUtf8)
            .SelectMany(k => Enumerable.Repeat(k, k is MalformedFrameKind.Oversized or MalformedFrameKind.ZstdBomb ? 1 : 4))
            .ToList();
        var plan = new FaultPlan();
        var expected = new Dictionary<string, long>();
        for (var connection = 0; connection < connections; connection++)
        {
            // Injection points count the events sent on the connection (a resume's replayed event included), and stay
            // below the events it has to send, so that every hostile frame is followed by an event.
            var script = new ConnectionScript();
            foreach (var kind in Enumerable.Repeat(round, rounds / connections).SelectMany(k => k))
            {
                script.InjectAfter(random.Next(0, perConnection), kind);
                var (_, text, zstd) = Reasons.Single(r => r.Kind == kind);
                var reason = compressed ? zstd : text!;
                expected[reason] = expected.GetValueOrDefault(reason) + 1;
            }

            if (connection < connections - 1)
            {
                script.InjectAfter(perConnection + 1, MalformedFrameKind.InvalidUtf8);
            }

            plan.Next(script);
        }

        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(Event, total),
            Faults = plan,
        }, token);
        using var meters = new TestMeterFactory();
        using var malformed = meters.Collect<long>(Malformed);
        using var skipped = meters.Collect<long>(Skipped);

        var clock = Stopwatch.StartNew();
        var received = await JetstreamObservable.Connect(Options(server, meters, compression: compression))
            .Take(total).ToList().ToTask(token).WaitAsync(Deadline, token);
        clock.Stop();

        Assert.That(received.Select(Index), Is.EqualTo(Indexes(total)), "every event, once, in order");
        Assert.That(server.Connections, Has.Count.EqualTo(connections), "only invalid UTF-8 in a text frame cost a connection");
        var counted = ByReason(malformed).Concat(ByReason(skipped).Where(r => r.Key != "duplicate")).ToDictionary();
        Assert.That(counted, Is.EquivalentTo(expected), "each frame counted once under its reason");
        Report($"hostile mixed {compression}: {total:N0} events, {expected.Values.Sum():N0} hostile frames over {server.Connections.Count:N0} connections, {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static IEnumerable<KeyValuePair<string, long>> ByReason(Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long> collector) =>
        collector.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags["jetstream.reason"]!)
            .Select(g => KeyValuePair.Create(g.Key, g.Sum(m => m.Value)));
}
