using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Protocol.V1;

using static Jetstream.Reactive.Tests.Protocol.V1.V1Frames;

/// <summary>The v1 decoder on real captured frames: every corpus line matches an independent parse, and golden lines spot-checked field by field.</summary>
public sealed class V1DecoderRealFrameTests
{
    private static IEnumerable<TestCaseData> CorpusLines()
    {
        foreach (var path in Directory.GetFiles(TestDataDirectory, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            var number = 0;
            foreach (var line in SplitLines(File.ReadAllBytes(path)))
            {
                number++;
                yield return new TestCaseData(line).SetArgDisplayNames($"{name}:{number}");
            }
        }
    }

    [TestCaseSource(nameof(CorpusLines))]
    public void Decode_CorpusLine_MatchesIndependentParse(byte[] line)
    {
        var result = JetstreamEventDecoder.Decode(line);

        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.MalformedReason, Is.Null, result.ToString);
            Assert.That(result.UnknownKind, Is.Null);
            Assert.That(result.Event, Is.Not.Null);
        }

        var e = result.Event!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Did, Is.EqualTo(root.GetProperty("did").GetString()));
            Assert.That(e.TimeUs, Is.EqualTo(root.GetProperty("time_us").GetInt64()));
            Assert.That(e.ServerCursor, Is.EqualTo(root.TryGetProperty("cursor", out var c) && c.GetInt64() > 0 ? c.GetInt64() : (long?)null));
            Assert.That(e.Cursor, Is.EqualTo(e.ServerCursor ?? e.TimeUs));
            Assert.That(e.Kind, Is.EqualTo(ParseKind(root.GetProperty("kind").GetString())));
        }

        switch (e)
        {
            case CommitEvent commitEvent:
                AssertCommitMatches(commitEvent.Commit, root.GetProperty("commit"));
                break;
            case IdentityEvent identity:
                AssertIdentityMatches(identity, root.GetProperty("identity"));
                break;
            case AccountEvent account:
                AssertAccountMatches(account, root.GetProperty("account"));
                break;
            default:
                Assert.Fail($"unexpected event type {e.GetType()}");
                break;
        }
    }

    [Test]
    public void Decode_ExpectedV1Capture_HasDocumentedMix()
    {
        // SOURCES.md and PROTOCOL.md §3.8 (from the capture's manifest): 152 events, 144 creates, 2 updates,
        // 4 deletes, 1 identity, 1 account; like 105, post 18, repost 15, follow 9, block 1, two status records.
        var events = SplitLines(File.ReadAllBytes(Path.Combine(TestDataDirectory, "expected_v1.jsonl")))
            .Select(line => JetstreamEventDecoder.Decode(line).Event)
            .ToList();
        var commits = events.OfType<CommitEvent>().Select(e => e.Commit).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(events, Has.Count.EqualTo(152));
            Assert.That(events, Has.None.Null);
            Assert.That(commits.Count(c => c.Operation == CommitOperation.Create), Is.EqualTo(144));
            Assert.That(commits.Count(c => c.Operation == CommitOperation.Update), Is.EqualTo(2));
            Assert.That(commits.Count(c => c.Operation == CommitOperation.Delete), Is.EqualTo(4));
            Assert.That(events.OfType<IdentityEvent>().Count(), Is.EqualTo(1));
            Assert.That(events.OfType<AccountEvent>().Count(), Is.EqualTo(1));
            Assert.That(
                commits.CountBy(c => c.Collection).ToDictionary(),
                Is.EquivalentTo(new Dictionary<string, int>
                {
                    ["app.bsky.feed.like"] = 105,
                    ["app.bsky.feed.post"] = 18,
                    ["app.bsky.feed.repost"] = 15,
                    ["app.bsky.graph.follow"] = 9,
                    ["app.bsky.graph.block"] = 1,
                    ["app.bsky.actor.status"] = 1,
                    ["fm.teal.alpha.actor.status"] = 1,
                }));
        }
    }

    [Test]
    public void Decode_GoldenStreamPlaceOrigin_KeepsRKeyWithColons()
    {
        var e = (CommitEvent)JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(GoldenLine(7))).Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Did, Is.EqualTo("did:plc:qlhxnyjaacdu5jvapiqtbgqg"));
            Assert.That(e.Commit.Operation, Is.EqualTo(CommitOperation.Update));
            Assert.That(e.Commit.Collection, Is.EqualTo("place.stream.broadcast.origin"));
            Assert.That(e.Commit.RKey, Is.EqualTo("did:plc:qlhxnyjaacdu5jvapiqtbgqg::did:web:prod-sea0.stream.place"));
            Assert.That(e.Commit.Cid, Is.EqualTo("bafyreibk2m3ujbeckwgyvgi3bjucfnqj35xjynqswmnywd5a3thnrnzv6m"));
            Assert.That(
                e.Commit.Record!.Value.GetProperty("websocketURL").GetString(),
                Is.EqualTo("wss://prod-sea0.stream.place/xrpc/place.stream.live.subscribeSegments?streamer=did%3Aplc%3Aqlhxnyjaacdu5jvapiqtbgqg"));
        }
    }

    [Test]
    public void Decode_GoldenProfileUpdate_DecodesRecordWithBlobs()
    {
        var e = (CommitEvent)JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(GoldenLine(5))).Event!;
        var record = e.Commit.Record!.Value;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.TimeUs, Is.EqualTo(1779719010689411L));
            Assert.That(e.Timestamp, Is.EqualTo(new DateTimeOffset(2026, 5, 25, 14, 23, 30, TimeSpan.Zero).AddTicks(6894110)));
            Assert.That(e.Commit.Rev, Is.EqualTo("3mmoojqsbjf2d"));
            Assert.That(e.Commit.Operation, Is.EqualTo(CommitOperation.Update));
            Assert.That(e.Commit.Collection, Is.EqualTo("app.bsky.actor.profile"));
            Assert.That(e.Commit.RKey, Is.EqualTo("self"));
            Assert.That(record.GetProperty("displayName").GetString(), Is.EqualTo("Multiversal Lokis Unit🔞"));
            Assert.That(record.GetProperty("avatar").GetProperty("ref").GetProperty("$link").GetString(), Is.EqualTo("bafkreieajxclqzwk2mczx7hxmoboqpuiveqlbm35gsda5xlaqfmlryu4ri"));
            Assert.That(record.GetProperty("avatar").GetProperty("size").GetInt64(), Is.EqualTo(720303));
        }
    }

    [Test]
    public void Decode_GoldenIdentityWithoutHandle_HasNullHandle()
    {
        var e = (IdentityEvent)JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(GoldenLine(8))).Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Kind, Is.EqualTo(JetstreamEventKind.Identity));
            Assert.That(e.Did, Is.EqualTo("did:plc:g4ut2w5755qxi3fe7mfs72p4"));
            Assert.That(e.Handle, Is.Null);
            Assert.That(e.Seq, Is.EqualTo(30340180350L));
            Assert.That(e.Time, Is.EqualTo(new DateTimeOffset(2026, 5, 25, 14, 23, 29, 950, TimeSpan.Zero)));
        }
    }

    [Test]
    public void Decode_GoldenAccount_IsActiveWithoutStatus()
    {
        var e = (AccountEvent)JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(GoldenLine(9))).Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Kind, Is.EqualTo(JetstreamEventKind.Account));
            Assert.That(e.Active, Is.True);
            Assert.That(e.Status, Is.Null);
            Assert.That(e.Seq, Is.EqualTo(30340180351L));
            Assert.That(e.Time, Is.EqualTo(new DateTimeOffset(2026, 5, 25, 14, 23, 29, 950, TimeSpan.Zero)));
        }
    }

    [Test]
    public void Decode_ReadmeIdentityWithHandle_HasHandle()
    {
        var line = File.ReadAllLines(Path.Combine(TestDataDirectory, "readme-examples.jsonl"))[2];

        var e = (IdentityEvent)JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(line)).Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Did, Is.EqualTo("did:plc:ufbl4k27gp6kzas5glhz7fim"));
            Assert.That(e.Handle, Is.EqualTo("yohenrique.bsky.social"));
            Assert.That(e.Seq, Is.EqualTo(1409752997L));
            Assert.That(e.Time, Is.EqualTo(new DateTimeOffset(2024, 9, 5, 6, 11, 4, 870, TimeSpan.Zero)));
        }
    }

    [Test]
    public void Decode_InactiveAccountWithStatus_HasStatus()
    {
        var frame = $$$"""{"did":"{{{Did}}}","time_us":5,"kind":"account","account":{"active":false,"did":"{{{Did}}}","seq":9,"status":"deactivated","time":"2024-09-05T06:11:04.870Z"}}""";

        var e = (AccountEvent)Decode(frame).Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Active, Is.False);
            Assert.That(e.Status, Is.EqualTo("deactivated"));
            Assert.That(e.Seq, Is.EqualTo(9));
        }
    }
}
