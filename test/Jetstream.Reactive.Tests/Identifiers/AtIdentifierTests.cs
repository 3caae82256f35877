using Jetstream.Reactive.Identifiers;
using Jetstream.Reactive.Validation;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Identifiers;

/// <summary>The public identifier rules are the ones the client's options and filters use (one home, Identifiers/).</summary>
public sealed class AtIdentifierTests
{
    [TestCase("app.bsky.feed.post", true)]
    [TestCase("com.example.fooBar", true)]
    [TestCase("app.bsky", false)]
    [TestCase("app.bsky.feed.*", false)]
    [TestCase("app..feed.post", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void IsNsid_Value_MatchesTheNsidSyntax(string? value, bool expected) =>
        Assert.That(AtIdentifier.IsNsid(value), Is.EqualTo(expected));

    [TestCase("did:plc:abc123", true)]
    [TestCase("did:web:example.com", true)]
    [TestCase("did:plc", false)]
    [TestCase("plc:abc", false)]
    [TestCase(null, false)]
    public void IsDid_Value_MatchesTheDidSyntax(string? value, bool expected) =>
        Assert.That(AtIdentifier.IsDid(value), Is.EqualTo(expected));

    [TestCase("app.bsky.feed.post", JetstreamProtocol.V1, true)]
    [TestCase("app.bsky.*", JetstreamProtocol.V1, true)]
    [TestCase("app.*", JetstreamProtocol.V1, true)]
    [TestCase("app.*", JetstreamProtocol.V2, false)]
    [TestCase("app.bsky.*", JetstreamProtocol.V2, true)]
    [TestCase("*", JetstreamProtocol.V1, false)]
    public void IsCollectionFilter_ValueAndProtocol_FollowsThatServersRule(string value, JetstreamProtocol protocol, bool expected) =>
        Assert.That(AtIdentifier.IsCollectionFilter(value, protocol), Is.EqualTo(expected));

    [Test]
    public void IsCollectionFilter_AnyValue_AgreesWithOptionValidation()
    {
        foreach (var value in (string[])["app.bsky.feed.post", "app.bsky.*", "app.*", "bad value", "a.b.c.*", "1app.bsky.*"])
        {
            foreach (var protocol in (JetstreamProtocol[])[JetstreamProtocol.V1, JetstreamProtocol.V2])
            {
                var accepted = !OptionsValidation.CollectionErrors("WantedCollections", [value], protocol == JetstreamProtocol.V2).Any();
                Assert.That(AtIdentifier.IsCollectionFilter(value, protocol), Is.EqualTo(accepted), $"{value} on {protocol}");
            }
        }
    }
}
