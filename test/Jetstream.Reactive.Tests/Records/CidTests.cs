using Jetstream.Reactive.Records;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Records;

public sealed class CidTests
{
    [TestCase("bafyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxai")]
    [TestCase("bafkreiczvotekigpnpwzpv62gkefy6gcu53dkgrqkqkbfy3ayas55w4n64")]
    [TestCase("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")]
    [TestCase("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA")]
    public void Parse_Valid_KeepsTheString(string value)
    {
        var cid = Cid.Parse(value);

        Assert.That((cid.Value, cid.ToString(), cid.IsEmpty), Is.EqualTo((value, value, false)));
    }

    [TestCase("")]
    [TestCase("bafy")]
    [TestCase("bafyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxaI")]
    [TestCase("bbfyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxai")]
    [TestCase("bafyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxa1")]
    [TestCase("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd")]
    [TestCase("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPb0G")]
    [TestCase("z0OIl0OIl0OIl")]
    [TestCase("at://did:plc:abc")]
    [TestCase("fbafyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxai")]
    public void TryParse_Invalid_ReturnsFalse(string value)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Cid.TryParse(value, out var cid), Is.False);
            Assert.That(cid.IsEmpty, Is.True);
            Assert.That(Cid.IsValid(value), Is.False);
            Assert.That(() => Cid.Parse(value), Throws.InstanceOf<FormatException>());
        }
    }

    [Test]
    public void TryParse_TooLong_ReturnsFalse()
    {
        Assert.That(Cid.TryParse("ba" + new string('a', Cid.MaxLength - 2), out _), Is.True);
        Assert.That(Cid.TryParse("ba" + new string('a', Cid.MaxLength - 1), out _), Is.False);
    }

    [Test]
    public void Default_IsEmptyAndEqualToItself()
    {
        Cid empty = default;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(empty.IsEmpty, Is.True);
            Assert.That(empty.Value, Is.Empty);
            Assert.That(empty == default(Cid), Is.True);
            Assert.That(empty.GetHashCode(), Is.Zero);
            Assert.That(() => Cid.Parse(null!), Throws.ArgumentNullException);
        }
    }

    [Test]
    public void Equals_SameText_IsEqual()
    {
        var a = Cid.Parse("bafyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxai");
        var b = Cid.Parse(new string("bafyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxai".AsSpan()));
        var c = Cid.Parse("bafkreiczvotekigpnpwzpv62gkefy6gcu53dkgrqkqkbfy3ayas55w4n64");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a == b, Is.True);
            Assert.That(a.Equals((object)b), Is.True);
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
            Assert.That(a != c, Is.True);
        }
    }
}
