using System.Text.Json;
using Jetstream.Reactive.Archive;
using NUnit.Framework;
using ZstdSharp;

namespace Jetstream.Reactive.Tests.Archive;

/// <summary>Damaged or hostile archive bytes fail with a <see cref="JssFormatException"/> naming the problem, never with garbage events.</summary>
public sealed class JssMalformedInputTests
{
    private static byte[] Corpus() => File.ReadAllBytes(JssSegmentReaderTests.ArchiveData("golden_corpus_segment.jss"));

    private static byte[] GoldenBlockBody() => Convert.FromHexString(
        JsonElement.Parse(File.ReadAllBytes(JssSegmentReaderTests.ArchiveData("golden_block.expected.json"))).GetProperty("uncompressedBodyHex").GetString()!);

    private static byte[] Compress(byte[] body)
    {
        using var zstd = new Compressor(3);
        zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return zstd.Wrap(body).ToArray();
    }

    [Test]
    public void Open_FooterByteChanged_FailsWithChecksumMismatch()
    {
        var bytes = Corpus();
        bytes[^1] ^= 0x01;
        var e = Assert.Throws<JssFormatException>(() => JssSegmentReader.Open(new MemoryStream(bytes)));
        Assert.That(e!.Message, Does.Contain("checksum"));
    }

    [Test]
    public void Open_TruncatedFile_FailsOnTheFooterOffsets()
    {
        var bytes = Corpus()[..3000];
        var e = Assert.Throws<JssFormatException>(() => JssSegmentReader.Open(new MemoryStream(bytes)));
        Assert.That(e!.Message, Does.Contain("footer offsets"));
    }

    [TestCase(12, (byte)2, "version")]
    [TestCase(0, (byte)'J', "magic")]
    public void Open_HeaderFieldChanged_FailsNamingIt(int offset, byte value, string named)
    {
        var bytes = Corpus();
        bytes[offset] = value;
        var e = Assert.Throws<JssFormatException>(() => JssSegmentReader.Open(new MemoryStream(bytes)));
        Assert.That(e!.Message, Does.Contain(named));
    }

    [Test]
    public void Open_ActiveSegment_IsRefused()
    {
        var bytes = Corpus();
        bytes.AsSpan(4, 8).Clear();
        var e = Assert.Throws<JssFormatException>(() => JssSegmentReader.Open(new MemoryStream(bytes)));
        Assert.That(e!.Message, Does.Contain("active"));
    }

    [Test]
    public void ReadBlock_CorruptFrameByte_FailsAndTheOtherBlocksStillRead()
    {
        var bytes = Corpus();
        bytes[256 + 8 + 600] ^= 0xFF; // inside block 0's frame; the xxh3 covers header and footer only
        using var reader = JssSegmentReader.Open(new MemoryStream(bytes));
        Assert.Throws<JssFormatException>(() => reader.ReadBlock(0));
        Assert.That(reader.ReadBlock(1).Events, Has.Count.EqualTo(8));
    }

    [Test]
    public void DecodeBlockFrame_UnknownKind_RejectsTheWholeBlock()
    {
        var body = GoldenBlockBody();
        body[4 + (24 * 3)] = 8; // row 0's kind byte: 3 rows, kind column at 4 + 24n
        var e = Assert.Throws<JssFormatException>(() => JssSegmentReader.DecodeBlockFrame(Compress(body)));
        Assert.That(e!.Message, Does.Contain("unknown kind 8"));
    }

    [Test]
    public void DecodeBlockFrame_TrailingByte_RejectsTheBlock()
    {
        var body = GoldenBlockBody().Append((byte)0).ToArray();
        var e = Assert.Throws<JssFormatException>(() => JssSegmentReader.DecodeBlockFrame(Compress(body)));
        Assert.That(e!.Message, Does.Contain("trailing"));
    }

    [Test]
    public void DecodeBlockFrame_RowCountAboveLimit_RejectsBeforeReadingColumns()
    {
        var body = new byte[8];
        BitConverter.TryWriteBytes(body, (uint)JssBlockBody.MaxRows + 1);
        var e = Assert.Throws<JssFormatException>(() => JssSegmentReader.DecodeBlockFrame(Compress(body)));
        Assert.That(e!.Message, Does.Contain("limit"));
    }

    [Test]
    public void DecodeBlockFrame_BadContentChecksum_Fails()
    {
        var frame = File.ReadAllBytes(JssSegmentReaderTests.ArchiveData("golden_block.bin"));
        frame[^1] ^= 0x01; // the frame's XXH64 content checksum
        Assert.Throws<JssFormatException>(() => JssSegmentReader.DecodeBlockFrame(frame));
    }

    [Test]
    public void DecodeBlockFrame_FloatInRecord_IsOneBadRow()
    {
        // Row 0's payload {"hello":5} becomes {"hello":5.0} (half float f9 4500), which the data model forbids.
        var body = GoldenBlockBody();
        var at = body.AsSpan().IndexOf(Convert.FromHexString("a16568656c6c6f05"));
        var block = JssSegmentReader.DecodeBlockFrame(Compress(ReplacePayload(body, at, Convert.FromHexString("a16568656c6c6ff94500"))));
        Assert.That(block.Errors.Select(e => e.Seq), Is.EqualTo(new[] { 1L, 2L }));
        Assert.That(block.Errors[0].Message, Does.Contain("float"));
    }

    private static byte[] ReplacePayload(byte[] body, int at, byte[] replacement)
    {
        // Row 0's payload length lives at 4 + 30n (n = 3); the payload is the last region, so only its length changes.
        var result = body[..at].Concat(replacement).Concat(body[(at + 8)..]).ToArray();
        BitConverter.TryWriteBytes(result.AsSpan(4 + (30 * 3)), (uint)replacement.Length);
        return result;
    }
}
