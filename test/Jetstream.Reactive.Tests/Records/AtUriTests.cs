using Jetstream.Reactive.Records;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Records;

public sealed class AtUriTests
{
    [TestCase("at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3l3pte3p2e325", "did:plc:ewvi7nxzyoun6zhxrhs64oiz", "app.bsky.feed.post", "3l3pte3p2e325")]
    [TestCase("at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.graph.follow", "did:plc:ewvi7nxzyoun6zhxrhs64oiz", "app.bsky.graph.follow", null)]
    [TestCase("at://did:web:example.com", "did:web:example.com", null, null)]
    [TestCase("at://alice.bsky.social/app.bsky.actor.profile/self", "alice.bsky.social", "app.bsky.actor.profile", "self")]
    [TestCase("at://did:plc:qlhxnyjaacdu5jvapiqtbgqg/place.stream.broadcast.origin/did:plc:qlhxnyjaacdu5jvapiqtbgqg::did:web:prod-sea0.stream.place", "did:plc:qlhxnyjaacdu5jvapiqtbgqg", "place.stream.broadcast.origin", "did:plc:qlhxnyjaacdu5jvapiqtbgqg::did:web:prod-sea0.stream.place")]
    public void Parse_ValidUri_ExposesItsParts(string value, string authority, string? collection, string? rkey)
    {
        var uri = AtUri.Parse(value);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(uri.Authority, Is.EqualTo(authority));
            Assert.That(uri.Collection, Is.EqualTo(collection));
            Assert.That(uri.RKey, Is.EqualTo(rkey));
            Assert.That(uri.HasDidAuthority, Is.EqualTo(authority.StartsWith("did:", StringComparison.Ordinal)));
            Assert.That(uri.ToString(), Is.EqualTo(value));
        }
    }

    [TestCase("")]
    [TestCase("https://bsky.app/profile/x")]
    [TestCase("at://")]
    [TestCase("at:///app.bsky.feed.post/x")]
    [TestCase("at://did:plc:abc/")]
    [TestCase("at://did:plc:abc/app.bsky.feed.post/")]
    [TestCase("at://did:plc:abc/app.bsky.feed.post/a/b")]
    [TestCase("at://did:plc:abc/notannsid/x")]
    [TestCase("at://did:plc:abc/app.bsky.feed.post/..")]
    [TestCase("at://did:plc:abc/app.bsky.feed.post/has space")]
    [TestCase("at://did:plc:abc/app.bsky.feed.post/x?query=1")]
    [TestCase("at://did:plc:abc/app.bsky.feed.post/x#frag")]
    [TestCase("at://did:PLC:abc")]
    [TestCase("at://localhost")]
    [TestCase("at://bsky.123")]
    [TestCase("AT://did:plc:abc")]
    public void TryParse_InvalidUri_ReturnsFalse(string value)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(AtUri.TryParse(value, out var uri), Is.False);
            Assert.That(uri, Is.Null);
            Assert.That(() => AtUri.Parse(value), Throws.InstanceOf<FormatException>());
        }
    }

    [Test]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.That(AtUri.TryParse(null, out _), Is.False);
        Assert.That(() => AtUri.Parse(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void TryParse_RecordKeyAt512And513Characters_AcceptsOnlyTheFirst()
    {
        const string Head = "at://did:plc:abc/app.bsky.feed.post/";

        Assert.That(AtUri.TryParse(Head + new string('k', 512), out _), Is.True);
        Assert.That(AtUri.TryParse(Head + new string('k', 513), out _), Is.False);
    }

    [Test]
    public void Create_Parts_FormatsAndParsesBackEqual()
    {
        var uri = AtUri.Create("did:plc:abc", "app.bsky.feed.like", "3mmoojp7etg2g");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(uri.ToString(), Is.EqualTo("at://did:plc:abc/app.bsky.feed.like/3mmoojp7etg2g"));
            Assert.That(uri, Is.EqualTo(AtUri.Parse("at://did:plc:abc/app.bsky.feed.like/3mmoojp7etg2g")));
            Assert.That(uri == AtUri.Parse(uri.ToString()), Is.True);
            Assert.That(uri.GetHashCode(), Is.EqualTo(AtUri.Parse(uri.ToString()).GetHashCode()));
            Assert.That(AtUri.Create("did:plc:abc").ToString(), Is.EqualTo("at://did:plc:abc"));
            Assert.That(AtUri.Create("did:plc:abc", "app.bsky.feed.like").RKey, Is.Null);
        }
    }

    [Test]
    public void Create_InvalidParts_Throw()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => AtUri.Create(null!), Throws.ArgumentNullException);
            Assert.That(() => AtUri.Create("not a did"), Throws.ArgumentException.With.Property("ParamName").EqualTo("authority"));
            Assert.That(() => AtUri.Create("did:plc:abc", "feed"), Throws.ArgumentException.With.Property("ParamName").EqualTo("collection"));
            Assert.That(() => AtUri.Create("did:plc:abc", null, "rkey"), Throws.ArgumentException.With.Property("ParamName").EqualTo("rkey"));
            Assert.That(() => AtUri.Create("did:plc:abc", "app.bsky.feed.post", "a/b"), Throws.ArgumentException.With.Property("ParamName").EqualTo("rkey"));
        }
    }

    [Test]
    public void Equals_DifferentCase_IsOrdinal()
    {
        var a = AtUri.Parse("at://alice.test/app.bsky.feed.post/x");
        var b = AtUri.Parse("at://Alice.test/app.bsky.feed.post/x");

        Assert.That(a == b, Is.False);
        Assert.That(a != b, Is.True);
        Assert.That(a.Equals((object?)null), Is.False);
    }
}
