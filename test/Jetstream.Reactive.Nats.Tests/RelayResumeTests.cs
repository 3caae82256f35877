using System.Globalization;
using Jetstream.Reactive.Testing;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NUnit.Framework;
using static Jetstream.Reactive.Nats.Tests.Scenario;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>Where a restarted relay resumes: never from a cursor that cannot be trusted.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class RelayResumeTests
{
    [Test]
    public async Task RunAsync_HostileCursorAtTheStreamsTail_MarkedAndNeverTheResumePoint(CancellationToken token)
    {
        const int Count = 100;

        // The source sends one event stamped time_us 0 in the middle: the oldest cursor in the tail, and a hostile one.
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Faults = new FaultPlan().Next(s => s.HostileCursorAfter(Count / 2, 0)) }, token);
        await using var check = Connect(nats.Url);
        var options = RelayOptions(emulator.Uri, "HOSTILE");
        await using (var first = StartRelay(nats.Url, options))
        {
            emulator.Publish(Events(0, Count));
            await WaitUntilAsync(async () => await MessagesAsync(check, "HOSTILE", token) >= Count + 1, "every event and the hostile one stored", token);
        }

        var headers = await ReadHeadersAsync(check, "HOSTILE", token);
        var hostile = headers.Where(h => h.ContainsKey(JetstreamNatsSubjects.CursorUntrustedHeader)).ToList();
        var oldestTrusted = headers.Where(h => !h.ContainsKey(JetstreamNatsSubjects.CursorUntrustedHeader)).Min(h => long.Parse(h[JetstreamNatsSubjects.CursorHeader], CultureInfo.InvariantCulture));

        await using var second = StartRelay(nats.Url, options);
        var connections = await emulator.WaitForConnectionsAsync(2, TestTimeout, token);
        Assert.Multiple(() =>
        {
            Assert.That(headers, Has.Count.EqualTo(Count + 1));
            Assert.That(hostile, Has.Count.EqualTo(1), "the hostile event is relayed (nothing is lost), marked untrusted");
            Assert.That(hostile[0][JetstreamNatsSubjects.CursorHeader], Is.EqualTo("0"));
            Assert.That(connections[1].RequestedCursor, Is.EqualTo(oldestTrusted), "the restarted relay resumes from the oldest trusted cursor of the tail");
        });
    }

    /// <summary>Every message's headers, in stream order.</summary>
    private static async Task<List<Dictionary<string, string>>> ReadHeadersAsync(INatsConnection connection, string stream, CancellationToken token)
    {
        var js = new NatsJSContext(connection);
        var last = (await js.GetStreamAsync(stream, cancellationToken: token)).Info.State.LastSeq;
        var consumer = await js.CreateOrderedConsumerAsync(stream, cancellationToken: token);
        var all = new List<Dictionary<string, string>>();
        await foreach (var msg in consumer.ConsumeAsync<NatsMemoryOwner<byte>>(cancellationToken: token))
        {
            msg.Data.Dispose();
            all.Add(msg.Headers?.ToDictionary(h => h.Key, h => h.Value.ToString()) ?? []);
            if (msg.Metadata?.Sequence.Stream >= last)
            {
                break;
            }
        }

        return all;
    }
}
