using System.Globalization;
using System.Text.Json;
using Jetstream.Reactive.Archive;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Archive;

/// <summary>The three golden files from the server's own tests decode to exactly their expected contents.</summary>
public sealed class JssSegmentReaderTests
{
    internal static string ArchiveData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "archive", name);

    private static JsonElement Expected(string name) => JsonElement.Parse(File.ReadAllBytes(ArchiveData(name)));

    [TestCase("golden_corpus_segment.jss", "golden_corpus_segment.expected.json")]
    [TestCase("golden_seal.bin", "golden_seal.expected.json")]
    public void Open_GoldenSegment_HeaderBlockIndexAndCollectionsMatchExpected(string file, string expectedFile)
    {
        var expected = Expected(expectedFile);
        using var reader = JssSegmentReader.Open(File.OpenRead(ArchiveData(file)));
        var h = expected.GetProperty("header");
        Assert.Multiple(() =>
        {
            Assert.That(reader.Header.ChecksumHex, Is.EqualTo(h.GetProperty("checksumHex").GetString()));
            Assert.That(reader.Header.Version, Is.EqualTo(h.GetProperty("version").GetInt32()));
            Assert.That(reader.Header.BlockCount, Is.EqualTo(h.GetProperty("blockCount").GetUInt32()));
            Assert.That(reader.Header.EventCount, Is.EqualTo(h.GetProperty("eventCount").GetUInt32()));
            Assert.That(reader.Header.UniqueDidCount, Is.EqualTo(h.GetProperty("uniqueDidCount").GetUInt32()));
            Assert.That(reader.Header.MinSeq, Is.EqualTo(h.GetProperty("minSeq").GetUInt64()));
            Assert.That(reader.Header.MaxSeq, Is.EqualTo(h.GetProperty("maxSeq").GetUInt64()));
            Assert.That(reader.Header.MinWitnessedAt, Is.EqualTo(h.GetProperty("minWitnessedAt").GetInt64()));
            Assert.That(reader.Header.MaxWitnessedAt, Is.EqualTo(h.GetProperty("maxWitnessedAt").GetInt64()));
            Assert.That(reader.Header.FooterOffset, Is.EqualTo(h.GetProperty("footerOffset").GetUInt64()));
            Assert.That(reader.Header.DidBloomOffset, Is.EqualTo(h.GetProperty("didBloomOffset").GetUInt64()));
            Assert.That(reader.Header.BlockDidBloomOffset, Is.EqualTo(h.GetProperty("blockDidBloomOffset").GetUInt64()));
            Assert.That(reader.Header.CollectionIndexOffset, Is.EqualTo(h.GetProperty("collectionIndexOffset").GetUInt64()));

            var blocks = expected.GetProperty("blockIndex").EnumerateArray().ToList();
            Assert.That(reader.Blocks, Has.Count.EqualTo(blocks.Count));
            for (var i = 0; i < blocks.Count; i++)
            {
                var b = blocks[i];
                Assert.That(reader.Blocks[i], Is.EqualTo(new JssBlockInfo(
                    b.GetProperty("offset").GetUInt64(),
                    b.GetProperty("compressedSize").GetUInt32(),
                    b.GetProperty("uncompressedSize").GetUInt32(),
                    b.GetProperty("eventCount").GetUInt32(),
                    b.GetProperty("minSeq").GetUInt64(),
                    b.GetProperty("maxSeq").GetUInt64(),
                    b.GetProperty("minWitnessedAt").GetInt64(),
                    b.GetProperty("maxWitnessedAt").GetInt64())));
            }

            var table = expected.GetProperty("collectionIndex").GetProperty("table").EnumerateArray()
                .Select(t => new JssCollectionEntry(t.GetProperty("nsid").GetString()!, t.GetProperty("eventCount").GetUInt32()));
            Assert.That(reader.Collections, Is.EqualTo(table));
            foreach (var bc in expected.GetProperty("collectionIndex").GetProperty("blockCollections").EnumerateArray())
            {
                Assert.That(reader.CollectionsOfBlock(bc.GetProperty("block").GetInt32()), Is.EqualTo(bc.GetProperty("collectionIds").EnumerateArray().Select(x => x.GetInt32())));
            }
        });
    }

    [Test]
    public void ReadEvents_GoldenCorpusSegment_EveryRowDecodesToItsExpectedEventCidAndRecord()
    {
        var expected = Expected("golden_corpus_segment.expected.json").GetProperty("events").EnumerateArray().ToList();
        using var reader = JssSegmentReader.Open(File.OpenRead(ArchiveData("golden_corpus_segment.jss")));
        var blocks = Enumerable.Range(0, reader.Blocks.Count).Select(reader.ReadBlock).ToList();
        Assert.That(blocks.SelectMany(b => b.Errors), Is.Empty);
        var events = blocks.SelectMany(b => b.Events).Cast<CommitEvent>().ToList();
        Assert.That(events, Has.Count.EqualTo(23));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < expected.Count; i++)
            {
                AssertEvent(events[i], expected[i]);
            }
        });
    }

    [Test]
    public void ReadBlock_GoldenSeal_FrameWithoutContentSizeDecodesAndNonCborPayloadsAreReportedRows()
    {
        // The fixture's payloads are the raw bytes "p1"/"p2": layout only, so each row is a reported bad row.
        var expected = Expected("golden_seal.expected.json").GetProperty("events").EnumerateArray().ToList();
        using var reader = JssSegmentReader.Open(File.OpenRead(ArchiveData("golden_seal.bin")));
        var block = reader.ReadBlock(0);
        Assert.Multiple(() =>
        {
            Assert.That(block.Rows, Is.EqualTo(2));
            Assert.That(block.Events, Is.Empty);
            Assert.That(block.Errors.Select(e => e.Seq), Is.EqualTo(expected.Select(e => e.GetProperty("seq").GetInt64())));
        });
    }

    [Test]
    public void DecodeBlockFrame_GoldenBlock_CreateAndDeleteDecodeAndTheEmptyIdentityIsOneReportedRow()
    {
        var expected = Expected("golden_block.expected.json").GetProperty("events").EnumerateArray().ToList();
        var block = JssSegmentReader.DecodeBlockFrame(File.ReadAllBytes(ArchiveData("golden_block.bin")));
        Assert.Multiple(() =>
        {
            Assert.That(block.Rows, Is.EqualTo(3));
            Assert.That(block.Errors.Select(e => e.Seq), Is.EqualTo(new[] { 2L }));
            Assert.That(block.Events, Has.Count.EqualTo(2));
            AssertEvent((CommitEvent)block.Events[0], expected[0]);
            var delete = (CommitEvent)block.Events[1];
            AssertEvent(delete, expected[2]);
            Assert.That(delete.Commit.Operation, Is.EqualTo(CommitOperation.Delete));
        });
    }

    private static void AssertEvent(CommitEvent actual, JsonElement expected)
    {
        var seq = expected.GetProperty("seq").GetInt64();
        Assert.That(actual.ServerCursor, Is.EqualTo(seq));
        Assert.That(actual.Cursor, Is.EqualTo(seq), "v2 events carry the seq as their cursor");
        Assert.That(actual.Did, Is.EqualTo(expected.GetProperty("did").GetString()), $"did of {seq}");
        Assert.That(actual.TimeUs, Is.EqualTo(expected.GetProperty("timeUs").GetInt64()), $"time of {seq}");
        Assert.That(
            actual.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            Is.EqualTo(expected.GetProperty("wireTime").GetString()));
        Assert.That(actual.Commit.Collection, Is.EqualTo(expected.GetProperty("collection").GetString()));
        Assert.That(actual.Commit.RKey, Is.EqualTo(expected.GetProperty("rkey").GetString()));
        Assert.That(actual.Commit.Rev, Is.EqualTo(expected.GetProperty("rev").GetString()));
        if (expected.TryGetProperty("cid", out var cid))
        {
            Assert.That(actual.Commit.Cid, Is.EqualTo(cid.GetString()), $"cid of {seq}");
            Assert.That(JsonElement.DeepEquals(actual.Commit.Record!.Value, expected.GetProperty("recordJson")), Is.True, $"record of {seq}: {actual.Commit.Record}");
        }
        else
        {
            Assert.That(actual.Commit.Cid, Is.Null);
            Assert.That(actual.Commit.HasRecord, Is.False);
        }
    }
}
