using System.Text.Json;
using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Testing.Archive;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Archive;

/// <summary>The emulator's writer round-trips the real captured events through the client's reader.</summary>
public sealed class JssSegmentWriterTests
{
    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    private static IEnumerable<string> RealEvents() =>
        new[] { "expected_v1.jsonl", "golden_v1.jsonl", "readme-examples.jsonl", "issue-examples.jsonl" }
            .SelectMany(f => File.ReadLines(Data(f))).Where(l => l.Length > 0);

    [Test]
    public void Seal_RealCapturedEvents_ReadBackAsTheSameEventsWithTheLiveCids()
    {
        var lines = RealEvents().ToList();
        var writer = new JssSegmentWriter(maxEventsPerBlock: 16);
        for (var i = 0; i < lines.Count; i++)
        {
            writer.Append(JssArchiveRows.FromEventJson(System.Text.Encoding.UTF8.GetBytes(lines[i]), i + 1, 1_750_000_000_000_000 + i));
        }

        using var reader = JssSegmentReader.Open(new MemoryStream(writer.Seal()));
        var blocks = Enumerable.Range(0, reader.Blocks.Count).Select(reader.ReadBlock).ToList();
        Assert.That(blocks.SelectMany(b => b.Errors), Is.Empty);
        var events = blocks.SelectMany(b => b.Events).ToList();
        Assert.That(events, Has.Count.EqualTo(lines.Count));
        Assert.That(reader.Header.EventCount, Is.EqualTo((uint)lines.Count));
        Assert.That(reader.Blocks, Has.Count.EqualTo((lines.Count + 15) / 16));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < lines.Count; i++)
            {
                var original = JsonElement.Parse(lines[i]);
                var e = events[i];
                Assert.That(e.Cursor, Is.EqualTo(i + 1));
                Assert.That(e.TimeUs, Is.EqualTo(1_750_000_000_000_000 + i));
                Assert.That(e.Did, Is.EqualTo(original.GetProperty("did").GetString()));
                switch (e)
                {
                    case CommitEvent c:
                    {
                        var commit = original.GetProperty("commit");
                        Assert.That(c.Commit.Operation.ToString(), Is.EqualTo(commit.GetProperty("operation").GetString()).IgnoreCase);
                        Assert.That(c.Commit.Collection, Is.EqualTo(commit.GetProperty("collection").GetString()));
                        Assert.That(c.Commit.RKey, Is.EqualTo(commit.GetProperty("rkey").GetString()));
                        Assert.That(c.Commit.Rev, Is.EqualTo(commit.GetProperty("rev").GetString()));
                        if (commit.TryGetProperty("record", out var record))
                        {
                            // The CID is computed from the re-encoded DAG-CBOR: equal to the live one only if both
                            // the JSON→CBOR and the CBOR→JSON conversions are exact.
                            Assert.That(c.Commit.Cid, Is.EqualTo(commit.GetProperty("cid").GetString()), $"cid of line {i}");
                            Assert.That(JsonElement.DeepEquals(c.Commit.Record!.Value, record), Is.True, $"record of line {i}");
                        }
                        else
                        {
                            Assert.That(c.Commit.HasRecord, Is.False);
                        }

                        break;
                    }

                    case IdentityEvent identity:
                    {
                        var body = original.GetProperty("identity");
                        Assert.That(identity.Handle, Is.EqualTo(body.TryGetProperty("handle", out var h) ? h.GetString() : null));
                        Assert.That(identity.Seq, Is.EqualTo(body.GetProperty("seq").GetInt64()));
                        Assert.That(identity.Time, Is.EqualTo(body.GetProperty("time").GetDateTimeOffset()));
                        break;
                    }

                    case AccountEvent account:
                    {
                        var body = original.GetProperty("account");
                        Assert.That(account.Active, Is.EqualTo(body.GetProperty("active").GetBoolean()));
                        Assert.That(account.Status, Is.EqualTo(body.TryGetProperty("status", out var s) ? s.GetString() : null));
                        Assert.That(account.Seq, Is.EqualTo(body.GetProperty("seq").GetInt64()));
                        break;
                    }

                    default:
                        Assert.Fail($"unexpected {e.GetType().Name} for line {i}");
                        break;
                }
            }
        });
    }

    [Test]
    public void Seal_GoldenSealRows_BloomsAndCollectionTableEqualTheServersBytes()
    {
        // The same two rows as the server's TestSealGolden: the footer's blooms must be byte-identical.
        var golden = File.ReadAllBytes(Data("archive/golden_seal.bin"));
        var writer = new JssSegmentWriter(maxEventsPerBlock: 2);
        writer.Append(new JssArchiveRow(1, 100, 0, 1, "did:plc:a", "app.bsky.feed.post", "k1", "v1", "p1"u8.ToArray()));
        writer.Append(new JssArchiveRow(2, 200, 250, 1, "did:plc:b", "app.bsky.feed.like", "k2", "v2", "p2"u8.ToArray()));
        var mine = writer.Seal();

        using var expected = JssSegmentReader.Open(new MemoryStream(golden));
        using var actual = JssSegmentReader.Open(new MemoryStream(mine));
        static byte[] Blooms(byte[] file, JssSegmentHeader h) => file[(int)h.DidBloomOffset..(int)h.CollectionIndexOffset];
        Assert.Multiple(() =>
        {
            Assert.That(Blooms(mine, actual.Header), Is.EqualTo(Blooms(golden, expected.Header)));
            Assert.That(actual.Collections, Is.EqualTo(expected.Collections));
            Assert.That(actual.Header with { Checksum = 0, DidBloomOffset = 0, BlockDidBloomOffset = 0, CollectionIndexOffset = 0, FooterOffset = 0 },
                Is.EqualTo(expected.Header with { Checksum = 0, DidBloomOffset = 0, BlockDidBloomOffset = 0, CollectionIndexOffset = 0, FooterOffset = 0 }));
            Assert.That(actual.Blocks[0] with { CompressedSize = 0 }, Is.EqualTo(expected.Blocks[0] with { CompressedSize = 0 }));
        });
    }

    [Test]
    public void Seal_MarkerRows_AddTheReservedNamesWithZeroCounts()
    {
        var writer = new JssSegmentWriter(maxEventsPerBlock: 2);
        var account = JssArchiveRows.FromEventJson("""{"did":"did:plc:x","time_us":1,"kind":"account","account":{"active":false,"did":"did:plc:x","seq":7,"status":"deleted","time":"2025-01-01T00:00:00.000Z"}}"""u8, 1, 10);
        writer.Append(account);
        writer.Append(new JssArchiveRow(2, 20, 0, 3, "did:plc:x", "app.bsky.feed.like", "r", "v", ReadOnlyMemory<byte>.Empty));
        using var reader = JssSegmentReader.Open(new MemoryStream(writer.Seal()));
        Assert.That(reader.Collections, Is.EqualTo(new[] { new JssCollectionEntry("$account", 0), new JssCollectionEntry("app.bsky.feed.like", 1) }));
        var events = reader.ReadEvents().ToList();
        Assert.That(events[0], Is.TypeOf<AccountEvent>().With.Property(nameof(AccountEvent.Status)).EqualTo("deleted"));
    }
}
