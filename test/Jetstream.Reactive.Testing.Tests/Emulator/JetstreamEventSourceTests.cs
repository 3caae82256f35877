using System.Text;
using Jetstream.Reactive.Testing;
using NUnit.Framework;
using ZstdSharp;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>Where the server's events come from, and how it ingests them.</summary>
[CancelAfter(30_000)]
public sealed class JetstreamEventSourceTests
{
    [TestCase(".jsonl")]
    [TestCase(".jsonl.zst")]
    public async Task FromFile_JsonLinesPlainOrZstd_ServesEveryLine(string extension, CancellationToken token)
    {
        var path = Path.Combine(Path.GetTempPath(), $"emulator-{Guid.NewGuid():N}{extension}");
        var text = string.Join("\n", FilterFixture.Events) + "\n\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        await File.WriteAllBytesAsync(path, extension.EndsWith(".zst", StringComparison.Ordinal) ? new Compressor().Wrap(bytes).ToArray() : bytes, token);
        try
        {
            await using var server = await EmulatorTest.StartAsync(new() { Events = JetstreamEventSource.FromFile(path) }, token);
            await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

            var names = (await client.ReceiveDataAsync(8, token)).Select(f => FilterFixture.Name(f.Json));

            Assert.That(names, Is.EqualTo(new[] { "a", "b", "c", "d", "e", "f", "g", "h" }));
            Assert.That(server.NextSeq, Is.EqualTo(9), "the blank line is skipped");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Publish_BadEvents_AreSkippedAndCounted(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = EmulatorTest.Source("not json", "[1]", """{"kind":"identity"}""", FilterFixture.Events[0]) }, token);

        var first = server.Publish("""{"did":"did:plc:x"}""", FilterFixture.Events[1]);

        Assert.That(server.BadSourceEvents, Is.EqualTo(4));
        Assert.That(first, Is.EqualTo(2), "the seq the first published event was to get");
        Assert.That(server.NextSeq, Is.EqualTo(3));
    }

    [Test]
    public async Task Publish_SourceTimeUsAndCursor_AreReplacedByTheServers(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new(), token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);

        server.Publish("""{"cursor":999,"did":"did:plc:x","kind":"identity","time_us":5,"identity":{"did":"did:plc:x","seq":1,"time":"t"}}""");
        var e = (await client.ReceiveDataAsync(token)).Json.AsObject();

        Assert.That(e.Select(p => p.Key), Is.EqualTo(new[] { "did", "time_us", "cursor", "kind", "identity" }), "the real servers' key order; the source's cursor is dropped");
        Assert.That(e["cursor"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(e["time_us"]!.GetValue<long>(), Is.GreaterThan(1_000_000_000_000_000));
    }

    [Test]
    public async Task Replay_MoreEventsThanRetained_KeepsTheNewest(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Events = JetstreamEventSource.BundledRealEvents, RetainedEvents = 10 }, token);

        Assert.That(server.NextSeq, Is.EqualTo(168));
        Assert.That(server.FloorSeq, Is.EqualTo(158));
    }
}
