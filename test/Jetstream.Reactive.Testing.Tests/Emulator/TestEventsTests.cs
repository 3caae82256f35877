using System.Text.Json.Nodes;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>The event builders users' tests publish with.</summary>
public sealed class TestEventsTests
{
    [Test]
    public void Commit_Defaults_IsACreateShapedLikeARealEvent()
    {
        var e = WireClient.ParseStrict(System.Text.Encoding.UTF8.GetBytes(TestEvents.Commit("app.bsky.feed.post")));

        Assert.That(e.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "did", "time_us", "kind", "commit" }));
        Assert.That(e["did"]!.GetValue<string>(), Is.EqualTo(TestEvents.DefaultDid));
        Assert.That(e["commit"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "rev", "operation", "collection", "rkey", "record", "cid" }));
        Assert.That(e["commit"]!["record"]!["$type"]!.GetValue<string>(), Is.EqualTo("app.bsky.feed.post"));
    }

    [Test]
    public void Commit_Delete_HasNoRecordAndNoCid()
    {
        var e = JsonNode.Parse(TestEvents.Commit("app.bsky.feed.like", operation: CommitOperation.Delete))!;

        Assert.That(e["commit"]!["operation"]!.GetValue<string>(), Is.EqualTo("delete"));
        Assert.That(e["commit"]!.AsObject().ContainsKey("record") || e["commit"]!.AsObject().ContainsKey("cid"), Is.False);
    }

    [Test]
    public void Commit_RecordNestedDeeperThan64_IsKept()
    {
        var nested = new string('[', 1_000) + new string(']', 1_000);

        var e = TestEvents.Commit("app.test.deep", record: $$"""{"$type":"app.test.deep","nested":{{nested}}}""");

        Assert.That(e, Does.Contain(nested));
    }

    [Test]
    public void IdentityAndAccount_OptionalFields_AreLeftOutUnlessGiven()
    {
        var identity = JsonNode.Parse(TestEvents.Identity())!["identity"]!.AsObject();
        var handled = JsonNode.Parse(TestEvents.Identity(handle: "alice.test"))!["identity"]!.AsObject();
        var account = JsonNode.Parse(TestEvents.Account(active: false, status: "deactivated"))!["account"]!.AsObject();

        Assert.That(identity.ContainsKey("handle"), Is.False);
        Assert.That(handled["handle"]!.GetValue<string>(), Is.EqualTo("alice.test"));
        Assert.That(account["active"]!.GetValue<bool>(), Is.False);
        Assert.That(account["status"]!.GetValue<string>(), Is.EqualTo("deactivated"));
    }
}
