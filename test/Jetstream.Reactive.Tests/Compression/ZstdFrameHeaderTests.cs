using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Compression;

public sealed class ZstdFrameHeaderTests
{
    [Test]
    public void TryRead_RealV1Frame_ReadsDictionaryIdAndContentSize()
    {
        var json = Events.Like(1_000);
        var frame = Zstd.V1(json);

        Assert.That(ZstdFrameHeader.TryRead(frame, out var header), Is.EqualTo(ZstdHeaderStatus.Valid));
        Assert.That(header.DictionaryId, Is.EqualTo(JetstreamZstdDictionaries.V1Id));
        Assert.That(header.ContentSize, Is.EqualTo((ulong)json.Length));
    }

    [Test]
    public void TryRead_FrameWithoutSizeOrDictionaryId_ReadsNeitherAndTheWindow()
    {
        var frame = Zstd.V1(Events.Like(1_000), declareSize: false, writeDictionaryId: false);

        Assert.That(ZstdFrameHeader.TryRead(frame, out var header), Is.EqualTo(ZstdHeaderStatus.Valid));
        Assert.That(header.DictionaryId, Is.Zero);
        Assert.That(header.ContentSize, Is.Null);
        Assert.That(header.WindowSize, Is.GreaterThanOrEqualTo(1024UL));
    }

    // Hand-built headers: magic, descriptor, then the fields the descriptor announces (RFC 8878 §3.1.1.1).
    [TestCase(new byte[] { 0x20, 0x05 }, 0u, 5ul, TestName = "TryRead_SingleSegmentOneByteSize_ReadsSize")]
    [TestCase(new byte[] { 0x60, 0x00, 0x01 }, 0u, 512ul, TestName = "TryRead_TwoByteSize_AddsTheOffsetOf256")]
    [TestCase(new byte[] { 0xA0, 0x00, 0x00, 0x01, 0x00 }, 0u, 65_536ul, TestName = "TryRead_FourByteSize_ReadsLittleEndian")]
    [TestCase(new byte[] { 0xE0, 0, 0, 0, 0, 1, 0, 0, 0 }, 0u, 4_294_967_296ul, TestName = "TryRead_EightByteSize_ReadsLittleEndian")]
    [TestCase(new byte[] { 0x21, 0x07, 0x09 }, 7u, 9ul, TestName = "TryRead_OneByteDictionaryId_ReadsIt")]
    [TestCase(new byte[] { 0x22, 0x34, 0x12, 0x09 }, 0x1234u, 9ul, TestName = "TryRead_TwoByteDictionaryId_ReadsIt")]
    [TestCase(new byte[] { 0x23, 0x6D, 0x46, 0x15, 0x60, 0x09 }, JetstreamZstdDictionaries.V1Id, 9ul, TestName = "TryRead_FourByteDictionaryId_ReadsIt")]
    public void TryRead_HandBuiltHeader(byte[] afterMagic, uint dictionaryId, ulong contentSize)
    {
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, .. afterMagic];

        Assert.That(ZstdFrameHeader.TryRead(frame, out var header), Is.EqualTo(ZstdHeaderStatus.Valid));
        Assert.That(header.DictionaryId, Is.EqualTo(dictionaryId));
        Assert.That(header.ContentSize, Is.EqualTo(contentSize));
    }

    [Test]
    public void TryRead_WindowDescriptor_GivesBasePlusMantissaEighths()
    {
        // Exponent 7 (window log 17, 128 KiB) and mantissa 2: 128 KiB + 2/8 of it.
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x00, (7 << 3) | 2];

        Assert.That(ZstdFrameHeader.TryRead(frame, out var header), Is.EqualTo(ZstdHeaderStatus.Valid));
        Assert.That(header.WindowSize, Is.EqualTo(131_072UL + 32_768UL));
        Assert.That(header.ContentSize, Is.Null);
    }

    [TestCase(new byte[0])]
    [TestCase(new byte[] { 0x28, 0xB5, 0x2F })]
    [TestCase(new byte[] { (byte)'{', (byte)'"', (byte)'d', (byte)'i' })]
    [TestCase(new byte[] { 0x50, 0x2A, 0x4D, 0x18, 0, 0, 0, 0 })]
    public void TryRead_NotTheZstdMagic_IsNotZstd(byte[] frame)
    {
        Assert.That(ZstdFrameHeader.TryRead(frame, out _), Is.EqualTo(ZstdHeaderStatus.NotZstd));
    }

    [TestCase(new byte[] { 0x28, 0xB5, 0x2F, 0xFD })]
    [TestCase(new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0x00 })]
    [TestCase(new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0x23, 0x6D, 0x46 })]
    [TestCase(new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0xE0, 0, 0, 0 })]
    [TestCase(new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0x28, 0x05 })]
    public void TryRead_TruncatedOrReservedBitSet_IsInvalid(byte[] frame)
    {
        Assert.That(ZstdFrameHeader.TryRead(frame, out _), Is.EqualTo(ZstdHeaderStatus.Invalid));
    }
}
