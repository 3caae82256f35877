using System.Text;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Compression;

/// <summary>
/// The per-connection zstd decoder against frames compressed here with ZstdSharp and the real dictionaries: every
/// real event round-trips, and each way a frame can be wrong maps to its reason without a large allocation.
/// </summary>
public sealed class ZstdFrameDecoderTests
{
    private const int Limit = 64 * 1024;

    private static ZstdFrameDecoder V1Decoder(int limit = Limit) => new(JetstreamZstdDictionaries.V1Id, JetstreamZstdDictionaries.V1, limit);

    private static IEnumerable<string> RealEvents() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "expected_v1.jsonl")).Where(l => l.Length > 0);

    [Test]
    public void TryDecode_EveryRealEventCompressedWithTheV1Dictionary_RoundTrips()
    {
        using var decoder = V1Decoder();
        long compressed = 0, plain = 0;
        foreach (var line in RealEvents())
        {
            var frame = Zstd.V1(line);
            compressed += frame.Length;
            plain += Encoding.UTF8.GetByteCount(line);

            Assert.That(decoder.TryDecode(frame, out var output, out var detail), Is.Null, detail);
            Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo(line));
        }

        // The dictionary is what makes per-event frames small: about half the size (PROTOCOL.md §4).
        Assert.That(compressed, Is.LessThan(plain * 0.6));
    }

    [Test]
    public void TryDecode_FrameWithoutDeclaredSize_DecodesIntoAGrowingBuffer()
    {
        using var decoder = V1Decoder();
        var json = Events.Like(1).Replace("\"createdAt\"", "\"pad\":\"" + new string('x', 40_000) + "\",\"createdAt\"", StringComparison.Ordinal);

        Assert.That(decoder.TryDecode(Zstd.V1(json, declareSize: false), out var output, out _), Is.Null);
        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo(json));
        Assert.That(decoder.PeakOutputSize, Is.LessThanOrEqualTo(Limit));
    }

    [Test]
    public void TryDecode_FrameWithoutDictionaryId_IsDecodedWithTheConnectionsDictionary()
    {
        using var decoder = V1Decoder();
        var json = Events.Identity(5);

        Assert.That(decoder.TryDecode(Zstd.V1(json, writeDictionaryId: false), out var output, out _), Is.Null);
        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo(json));
    }

    [Test]
    public void TryDecode_FrameMadeWithoutAnyDictionary_Decodes()
    {
        using var decoder = V1Decoder();
        var json = Events.Account(5);

        Assert.That(decoder.TryDecode(Zstd.Compress(Encoding.UTF8.GetBytes(json), default), out var output, out _), Is.Null);
        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo(json));
    }

    [Test]
    public void TryDecode_FrameMadeWithTheV2Dictionary_IsADictionaryMismatchNamingBothIds()
    {
        using var decoder = V1Decoder();

        Assert.That(decoder.TryDecode(Zstd.V2(Events.Like(1)), out _, out var detail), Is.EqualTo(MalformedFrameReason.ZstdDictionaryMismatch));
        Assert.That(detail, Is.EqualTo("frame dictionary 20260811, expected 1612007021"));
        Assert.That(decoder.PeakOutputSize, Is.Zero, "nothing is decompressed");
    }

    [Test]
    public void TryDecode_BombThatDeclaresItsSize_RejectedFromTheHeaderAlone()
    {
        using var decoder = V1Decoder();
        var bomb = Zstd.Bomb(8 * 1024 * 1024, JetstreamZstdDictionaries.V1.Span, declareSize: true);
        Assert.That(bomb, Has.Length.LessThan(1024), "a small frame");

        Assert.That(decoder.TryDecode(bomb, out _, out var detail), Is.EqualTo(MalformedFrameReason.DecompressedTooLarge));
        Assert.That(detail, Is.EqualTo($"declares {8 * 1024 * 1024} bytes, limit {Limit}"));
        Assert.That(decoder.PeakOutputSize, Is.Zero);
    }

    [Test]
    public void TryDecode_BombWithoutDeclaredSize_StopsAtTheLimit()
    {
        using var decoder = V1Decoder();
        var bomb = Zstd.Bomb(8 * 1024 * 1024, JetstreamZstdDictionaries.V1.Span, declareSize: false);

        Assert.That(decoder.TryDecode(bomb, out _, out var detail), Is.EqualTo(MalformedFrameReason.DecompressedTooLarge));
        Assert.That(detail, Does.Contain("size not declared"));
        Assert.That(decoder.PeakOutputSize, Is.EqualTo(Limit), "the output grew to the limit and no further");
    }

    [Test]
    public void TryDecode_BombWithoutDeclaredSize_DecompressedInOnePass()
    {
        // The old decoder started over at each doubling of its buffer: about a dozen passes for a frame this size.
        using var decoder = V1Decoder();
        var bomb = Zstd.Bomb(8 * 1024 * 1024, JetstreamZstdDictionaries.V1.Span, declareSize: false);

        Assert.That(decoder.TryDecode(bomb, out _, out _), Is.EqualTo(MalformedFrameReason.DecompressedTooLarge));
        Assert.That(decoder.Passes, Is.EqualTo(1));
    }

    [Test]
    public void TryDecode_LargeFrameWithoutDeclaredSize_DecodedInOnePassWithItsContentIntact()
    {
        using var decoder = V1Decoder();
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 120).Select(i => Events.Like(i))));
        Assert.That(content.Length, Is.LessThan(Limit));

        Assert.That(decoder.TryDecode(Zstd.Compress(content, JetstreamZstdDictionaries.V1.Span, declareSize: false), out var output, out _), Is.Null);
        Assert.That(output.ToArray(), Is.EqualTo(content));
        Assert.That(decoder.Passes, Is.EqualTo(1));
    }

    [Test]
    public void TryDecode_ExactlyTheLimit_IsAccepted()
    {
        using var decoder = V1Decoder(limit: 4096);
        var content = new byte[4096];
        content.AsSpan().Fill((byte)' ');
        content[0] = (byte)'1';

        Assert.That(decoder.TryDecode(Zstd.Compress(content, JetstreamZstdDictionaries.V1.Span), out var output, out _), Is.Null);
        Assert.That(output.Length, Is.EqualTo(4096));
        Assert.That(decoder.TryDecode(Zstd.Compress(content, JetstreamZstdDictionaries.V1.Span, declareSize: false), out output, out _), Is.Null);
        Assert.That(output.Length, Is.EqualTo(4096));
    }

    [Test]
    public void TryDecode_BombAfterSmallFrame_RejectedAndTheNextFrameStillDecodes()
    {
        using var decoder = V1Decoder();
        Assert.That(decoder.TryDecode(Zstd.Bomb(1024 * 1024, JetstreamZstdDictionaries.V1.Span, declareSize: false), out _, out _), Is.EqualTo(MalformedFrameReason.DecompressedTooLarge));

        Assert.That(decoder.TryDecode(Zstd.V1(Events.Like(9)), out var output, out _), Is.Null);
        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo(Events.Like(9)));
    }

    [Test]
    public void TryDecode_DamagedFrame_IsCorrupt()
    {
        using var decoder = V1Decoder();
        var frame = Zstd.V1(Events.Like(1));
        frame[^6] ^= 0xFF;

        Assert.That(decoder.TryDecode(frame, out _, out _), Is.EqualTo(MalformedFrameReason.ZstdCorrupt));
    }

    [Test]
    public void TryDecode_TruncatedFrame_IsCorrupt()
    {
        using var decoder = V1Decoder();
        var frame = Zstd.V1(Events.Like(1));

        Assert.That(decoder.TryDecode(frame.AsSpan(0, frame.Length - 8), out _, out var detail), Is.EqualTo(MalformedFrameReason.ZstdCorrupt));
        Assert.That(detail, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public void TryDecode_TwoFramesInOneMessage_IsCorrupt()
    {
        using var decoder = V1Decoder();
        var frame = Zstd.V1(Events.Like(1));

        Assert.That(decoder.TryDecode([.. frame, .. frame], out _, out var detail), Is.EqualTo(MalformedFrameReason.ZstdCorrupt));
        Assert.That(detail, Is.EqualTo("data after the frame"));
    }

    [Test]
    public void TryDecode_BinaryThatIsNotZstd_IsABinaryFrame()
    {
        using var decoder = V1Decoder();

        Assert.That(decoder.TryDecode(Encoding.UTF8.GetBytes(Events.Like(1)), out _, out _), Is.EqualTo(MalformedFrameReason.BinaryFrame));
    }

    [Test]
    public void TryDecode_EmptyBinaryFrame_IsEmptyAsATextOneIs()
    {
        using var decoder = V1Decoder();

        Assert.That(decoder.TryDecode([], out _, out var detail), Is.EqualTo(MalformedFrameReason.Empty));
        Assert.That(detail, Is.EqualTo("no bytes"));
    }
}
