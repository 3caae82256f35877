using System.Text;
using Jetstream.Reactive.Protocol.V2;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Protocol.V2;

/// <summary>The v2 envelope and payload decoder: every frame type, any key order, and the faults each maps to.</summary>
public sealed class V2DecoderTests
{
    private static V2Frame Decode(string json) => JetstreamEventDecoder.DecodeV2(Encoding.UTF8.GetBytes(json));

    private static JetstreamEvent DecodeEvent(string json)
    {
        var frame = Decode(json);
        Assert.That(frame.Kind, Is.EqualTo(V2FrameKind.Result));
        Assert.That(frame.Result.Event, Is.Not.Null, frame.Result.ToString());
        return frame.Result.Event!;
    }

    [Test]
    public void DecodeV2_Commit_MapsToCommitEventWithSeqAsCursorAndTimeAsTimeUs()
    {
        var e = (CommitEvent)DecodeEvent(V2Frames.Commit(12345, "rk1", timeUs: 1_725_911_162_329_308));

        Assert.That(e.Did, Is.EqualTo(V2Frames.Did));
        Assert.That(e.ServerCursor, Is.EqualTo(12345));
        Assert.That(e.Cursor, Is.EqualTo(12345));
        Assert.That(e.TimeUs, Is.EqualTo(1_725_911_162_329_308), "2024-09-09T19:46:02.329308Z to the microsecond");
        Assert.That(e.Commit.Operation, Is.EqualTo(CommitOperation.Create));
        Assert.That(e.Commit.Collection, Is.EqualTo("app.bsky.feed.like"));
        Assert.That(e.Commit.RKey, Is.EqualTo("rk1"));
        Assert.That(e.Commit.Rev, Is.EqualTo("3l3qo2vutsw2b"));
        Assert.That(e.Commit.Cid, Is.EqualTo("bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"));
        Assert.That(e.Commit.Record!.Value.GetProperty("$type").GetString(), Is.EqualTo("app.bsky.feed.like"));
    }

    [Test]
    public void DecodeV2_DocsExampleFrame_Decodes()
    {
        // The illustrative frame of the v2 docs (PROTOCOL.md §6.3), byte for byte.
        const string Frame = """{"$type":"message","payload":{"$type":"network.bsky.jetstream.subscribeEvents#commit","seq":12345,"did":"did:plc:eygmaihciaxprqvxpfvl6flk","time":"2024-09-09T19:46:02.329308Z","rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.like","rkey":"3l3qo2vuowo2b","cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi","record":{"$type":"app.bsky.feed.like","createdAt":"2024-09-09T19:46:02.102Z","subject":{"cid":"bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4","uri":"at://did:plc:wa7b35aakoll7hugkrjtf3xf/app.bsky.feed.post/3l3pte3p2e325"}}}}""";

        var e = (CommitEvent)DecodeEvent(Frame);

        Assert.That(e.ToString(), Is.EqualTo("commit Create did:plc:eygmaihciaxprqvxpfvl6flk/app.bsky.feed.like/3l3qo2vuowo2b time_us=1725911162329308"));
    }

    [Test]
    public void DecodeV2_Delete_HasNoRecordOrCid()
    {
        var e = (CommitEvent)DecodeEvent(V2Frames.Delete(7));

        Assert.That(e.Commit.Operation, Is.EqualTo(CommitOperation.Delete));
        Assert.That(e.Commit.Record, Is.Null);
        Assert.That(e.Commit.Cid, Is.Null);
    }

    [Test]
    public void DecodeV2_Identity_MapsToIdentityEventWithTheRelayFields()
    {
        var e = (IdentityEvent)DecodeEvent(V2Frames.Identity(8));

        Assert.That(e.ServerCursor, Is.EqualTo(8));
        Assert.That(e.Handle, Is.EqualTo("alice.example.com"));
        Assert.That(e.Seq, Is.EqualTo(30340180350), "the inner seq is the relay's");
        Assert.That(e.Time, Is.EqualTo(new DateTimeOffset(2026, 5, 25, 14, 23, 29, 950, TimeSpan.Zero)));
        Assert.That(e.TimeUs, Is.EqualTo(V2Frames.BaseTimeUs));
    }

    [Test]
    public void DecodeV2_Account_MapsToAccountEvent()
    {
        var e = (AccountEvent)DecodeEvent(V2Frames.Account(9));

        Assert.That(e.ServerCursor, Is.EqualTo(9));
        Assert.That(e.Active, Is.False);
        Assert.That(e.Status, Is.EqualTo("deactivated"));
        Assert.That(e.Seq, Is.EqualTo(30340180351));
    }

    [Test]
    public void DecodeV2_Sync_MapsToSyncEventWithDecodedBlocks()
    {
        var e = (SyncEvent)DecodeEvent(V2Frames.Sync(10));

        Assert.That(e.Kind, Is.EqualTo(JetstreamEventKind.Sync));
        Assert.That(e.ServerCursor, Is.EqualTo(10));
        Assert.That(e.Rev, Is.EqualTo("3mmoojp7vgo2g"));
        Assert.That(e.Seq, Is.EqualTo(30340180352));
        Assert.That(e.Blocks.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
    }

    [TestCase("AQIDBA", new byte[] { 1, 2, 3, 4 })]
    [TestCase("AQIDBA==", new byte[] { 1, 2, 3, 4 })]
    [TestCase("AQID", new byte[] { 1, 2, 3 })]
    [TestCase("AQIDBAU", new byte[] { 1, 2, 3, 4, 5 })]
    [TestCase("", new byte[0])]
    public void DecodeV2_SyncBlocks_PaddedOrNot(string base64, byte[] expected)
    {
        var frame = V2Frames.Sync(1).Replace("AQIDBA", base64, StringComparison.Ordinal);

        Assert.That(((SyncEvent)DecodeEvent(frame)).Blocks.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void DecodeV2_Info_IsANoticeWithNameAndMessage()
    {
        var frame = Decode(V2Frames.Info("OutdatedCursor", "starting at seq 5"));

        Assert.That(frame.Kind, Is.EqualTo(V2FrameKind.Info));
        Assert.That(frame.Name, Is.EqualTo("OutdatedCursor"));
        Assert.That(frame.Message, Is.EqualTo("starting at seq 5"));
    }

    [Test]
    public void DecodeV2_ErrorFrame_IsAServerError()
    {
        var frame = Decode(V2Frames.Error("InternalError", "stream read failed; reconnect"));

        Assert.That(frame.Kind, Is.EqualTo(V2FrameKind.Error));
        Assert.That(frame.Name, Is.EqualTo("InternalError"));
        Assert.That(frame.Message, Is.EqualTo("stream read failed; reconnect"));
    }

    [Test]
    public void DecodeV2_KeysInAnyOrder_Decodes()
    {
        // Payload before the envelope's $type, and the payload's $type last.
        const string Frame = """{"payload":{"seq":3,"did":"did:plc:a","time":"2026-05-25T14:23:28.778123Z","identity":{"did":"did:plc:a","seq":1,"time":"2026-05-25T14:23:29.950Z"},"$type":"network.bsky.jetstream.subscribeEvents#identity"},"extra":[1,{"x":2}],"$type":"message"}""";

        var e = DecodeEvent(Frame);

        Assert.That(e.Kind, Is.EqualTo(JetstreamEventKind.Identity));
        Assert.That(e.Cursor, Is.EqualTo(3));
    }

    [Test]
    public void DecodeV2_Commit_AllocatesNoMoreThanTheSameEventInV1()
    {
        // The same commit in both protocols: v2's envelope and payload types, read in place, cost no string (#16).
        var v2 = Encoding.UTF8.GetBytes(V2Frames.Commit(7, timeUs: Events.RealTimeUs));
        var payload = System.Text.Json.Nodes.JsonNode.Parse(v2)!["payload"]!.AsObject();
        var v1 = Encoding.UTF8.GetBytes(
            "{\"did\":\"" + V2Frames.Did + "\",\"time_us\":" + Events.RealTimeUs + ",\"cursor\":7,\"kind\":\"commit\",\"commit\":{\"rev\":\"3l3qo2vutsw2b\",\"operation\":\"create\",\"collection\":\"app.bsky.feed.like\",\"rkey\":\"3l3qo2vuowo2b\",\"record\":"
            + payload["record"]!.ToJsonString() + ",\"cid\":\"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi\"}}");
        Assert.That(JetstreamEventDecoder.Decode(v1).Event, Is.Not.Null);
        Assert.That(JetstreamEventDecoder.DecodeV2(v2).Result.Event, Is.Not.Null);

        var v1Bytes = BytesPerCall(() => JetstreamEventDecoder.Decode(v1));
        var v2Bytes = BytesPerCall(() => JetstreamEventDecoder.DecodeV2(v2));

        Assert.That(v2Bytes, Is.LessThanOrEqualTo(v1Bytes + 16), $"v1 {v1Bytes} B, v2 {v2Bytes} B");
    }

    [Test]
    public void DecodeV2_EscapedTypes_Decode()
    {
        // JSON allows any character escaped: the types still match, though they are compared in place.
        var frame = V2Frames.Commit(3)
            .Replace("\"$type\":\"message\"", "\"$type\":\"mess\\u0061ge\"", StringComparison.Ordinal)
            .Replace("#commit", "#c\\u006fmmit", StringComparison.Ordinal);
        Assert.That(frame, Does.Contain("\\u0061").And.Contain("\\u006f"));

        Assert.That(DecodeEvent(frame).Kind, Is.EqualTo(JetstreamEventKind.Commit));
    }

    [Test]
    public void DecodeV2_BareFragmentType_IsAccepted()
    {
        Assert.That(DecodeEvent(V2Frames.Commit(1).Replace(V2Frames.Prefix + "#commit", "#commit", StringComparison.Ordinal)).Kind, Is.EqualTo(JetstreamEventKind.Commit));
    }

    [TestCase("network.bsky.jetstream.subscribeEvents#labels")]
    [TestCase("com.example.other#commit")]
    [TestCase("network.bsky.jetstream.subscribeEvents")]
    public void DecodeV2_UnknownPayloadType_IsSkippedAsUnknown(string type)
    {
        var frame = Decode(V2Frames.Message("{\"$type\":\"" + type + "\",\"seq\":\"not even a number\"}"));

        Assert.That(frame.Kind, Is.EqualTo(V2FrameKind.Result));
        Assert.That(frame.Result.UnknownKind, Is.EqualTo(type));
    }

    [Test]
    public void DecodeV2_UnknownEnvelopeType_IsSkippedAsUnknown()
    {
        var frame = Decode("{\"$type\":\"heartbeat\",\"payload\":{}}");

        Assert.That(frame.Result.UnknownKind, Is.EqualTo("heartbeat"));
    }

    private static IEnumerable<TestCaseData> Faults()
    {
        static TestCaseData Case(string name, string json, MalformedFrameReason reason, string? detail) =>
            new TestCaseData(json, reason, detail).SetArgDisplayNames(name);

        var commit = V2Frames.Commit(5);
        yield return Case("not json", "{\"$type\":", MalformedFrameReason.NotJson, null);
        yield return Case("array", "[1]", MalformedFrameReason.NotAnObject, null);
        yield return Case("no envelope type", "{\"payload\":{}}", MalformedFrameReason.MissingField, "$type");
        yield return Case("envelope type number", "{\"$type\":1}", MalformedFrameReason.WrongType, "$type");
        yield return Case("message without payload", "{\"$type\":\"message\"}", MalformedFrameReason.MissingField, "payload");
        yield return Case("payload not an object", "{\"$type\":\"message\",\"payload\":[]}", MalformedFrameReason.WrongType, "payload");
        yield return Case("payload without type", V2Frames.Message("{\"seq\":1}"), MalformedFrameReason.MissingField, "payload.$type");
        yield return Case("error without name", "{\"$type\":\"error\",\"message\":\"x\"}", MalformedFrameReason.MissingField, "error");
        yield return Case("info without name", V2Frames.Message("{\"$type\":\"" + V2Frames.Prefix + "#info\"}"), MalformedFrameReason.MissingField, "payload.name");
        yield return Case("no seq", commit.Replace("\"seq\":5,", "", StringComparison.Ordinal), MalformedFrameReason.MissingField, "payload.seq");
        yield return Case("seq 0", commit.Replace("\"seq\":5,", "\"seq\":0,", StringComparison.Ordinal), MalformedFrameReason.InvalidValue, "payload.seq");
        yield return Case("seq string", commit.Replace("\"seq\":5,", "\"seq\":\"5\",", StringComparison.Ordinal), MalformedFrameReason.WrongType, "payload.seq");
        yield return Case("no did", commit.Replace("\"did\":\"" + V2Frames.Did + "\",", "", StringComparison.Ordinal), MalformedFrameReason.MissingField, "payload.did");
        yield return Case("no time", commit.Replace("\"time\":\"" + V2Frames.Time(V2Frames.BaseTimeUs) + "\",", "", StringComparison.Ordinal), MalformedFrameReason.MissingField, "payload.time");
        yield return Case("bad time", commit.Replace(V2Frames.Time(V2Frames.BaseTimeUs), "yesterday", StringComparison.Ordinal), MalformedFrameReason.InvalidValue, "payload.time");
        yield return Case("bad operation", commit.Replace("\"create\"", "\"upsert\"", StringComparison.Ordinal), MalformedFrameReason.InvalidValue, "payload.operation");
        yield return Case("create without record", commit[..commit.IndexOf(",\"record\"", StringComparison.Ordinal)] + "}}", MalformedFrameReason.MissingField, "payload.record");
        yield return Case("identity without object", V2Frames.Message("{\"$type\":\"" + V2Frames.Prefix + "#identity\",\"seq\":1,\"did\":\"did:plc:a\",\"time\":\"2026-05-25T14:23:28.778123Z\"}"), MalformedFrameReason.MissingField, "identity");
        yield return Case("account without active", V2Frames.Account(1).Replace("\"active\":false,", "", StringComparison.Ordinal), MalformedFrameReason.MissingField, "account.active");
        yield return Case("sync bad base64", V2Frames.Sync(1).Replace("AQIDBA", "!!!!", StringComparison.Ordinal), MalformedFrameReason.InvalidValue, "sync.blocks");
        yield return Case("sync without seq", V2Frames.Sync(1).Replace("\"seq\":30340180352,", "", StringComparison.Ordinal), MalformedFrameReason.MissingField, "sync.seq");
        yield return Case("deep record", V2Frames.Message("{\"$type\":\"" + V2Frames.Prefix + "#commit\",\"record\":" + new string('[', 2_000) + new string(']', 2_000) + "}"), MalformedFrameReason.TooDeep, null);
    }

    [TestCaseSource(nameof(Faults))]
    public void DecodeV2_Fault_MapsToItsReasonAndField(string json, MalformedFrameReason reason, string? detail)
    {
        var frame = Decode(json);

        Assert.That(frame.Kind, Is.EqualTo(V2FrameKind.Result));
        Assert.That(frame.Result.MalformedReason, Is.EqualTo(reason), frame.Result.ToString());
        Assert.That(frame.Result.Detail, Is.EqualTo(detail));
    }

    [Test]
    public void DecodeV2_EmptyOrInvalidUtf8_IsMalformed()
    {
        Assert.That(JetstreamEventDecoder.DecodeV2([]).Result.MalformedReason, Is.EqualTo(MalformedFrameReason.Empty));
        Assert.That(JetstreamEventDecoder.DecodeV2([0xC3, 0x28]).Result.MalformedReason, Is.EqualTo(MalformedFrameReason.InvalidUtf8));
    }

    [Test]
    public void DecodeV2_RandomBytes_NeverThrow()
    {
        // Cut and flipped versions of every frame type: whatever arrives, the decoder answers and does not throw.
        var random = new Random(4);
        string[] frames = [V2Frames.Commit(1), V2Frames.Identity(2), V2Frames.Account(3), V2Frames.Sync(4), V2Frames.Info(), V2Frames.Error()];
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(frames[i % frames.Length]);
            var cut = bytes.AsSpan(0, random.Next(bytes.Length + 1)).ToArray();
            if (cut.Length > 0)
            {
                cut[random.Next(cut.Length)] = (byte)random.Next(256);
            }

            Assert.That(() => JetstreamEventDecoder.DecodeV2(cut), Throws.Nothing);
        }
    }

    private static double BytesPerCall(Action decode)
    {
        decode();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            decode();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;
    }
}
