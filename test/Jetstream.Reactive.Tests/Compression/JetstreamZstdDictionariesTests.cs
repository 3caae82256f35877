using System.Security.Cryptography;
using Jetstream.Reactive.Compression;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Compression;

public sealed class JetstreamZstdDictionariesTests
{
    [Test]
    public void V1_IsTheLegacyDictionaryWithItsId()
    {
        Assert.That(JetstreamZstdDictionaries.V1.Length, Is.EqualTo(112_640));
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(JetstreamZstdDictionaries.V1.Span)), Is.EqualTo("b8d77b46933aceecbdd5275a01241efc985c970c78162b8150cf67a26522f70c"));
        Assert.That(JetstreamZstdDictionaries.TryReadId(JetstreamZstdDictionaries.V1.Span, out var id), Is.True);
        Assert.That(id, Is.EqualTo(JetstreamZstdDictionaries.V1Id));
    }

    [Test]
    public void BundledV2_IsTheV2DictionaryWithItsId()
    {
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(JetstreamZstdDictionaries.BundledV2.Span)), Is.EqualTo("f631a689a829b84b042ba45bcd7a7c2f792467192c5832fcfc1fc48afbec96aa"));
        Assert.That(JetstreamZstdDictionaries.TryReadId(JetstreamZstdDictionaries.BundledV2.Span, out var id), Is.True);
        Assert.That(id, Is.EqualTo(JetstreamZstdDictionaries.BundledV2Id));
    }

    [TestCase(new byte[0])]
    [TestCase(new byte[] { 0x37, 0xA4, 0x30, 0xEC, 0, 0, 0, 0 })]
    [TestCase(new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 1, 2, 3, 4 })]
    public void TryReadId_NotAStructuredDictionary_ReturnsFalse(byte[] bytes)
    {
        Assert.That(JetstreamZstdDictionaries.TryReadId(bytes, out _), Is.False);
    }
}
