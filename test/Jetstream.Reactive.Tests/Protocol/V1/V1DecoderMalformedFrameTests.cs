using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Decoding;

/// <summary>
/// The v1 decoder against real production frames (checked field by field against an independent
/// <see cref="JsonDocument"/> parse) and against hostile frames, each of which must map to its reason.
/// </summary>
[TestFixture]
public sealed partial class JetstreamEventDecoderTests
{
    private const string Did = "did:plc:ufbl4k27gp6kzas5glhz7fim";

    // A valid create; the hostile cases below are small edits of it.
    private const string ValidCreate =
        """{"did":"did:plc:ufbl4k27gp6kzas5glhz7fim","time_us":1725516665234703,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.like","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.like","createdAt":"2024-09-09T19:46:02.102Z","subject":{"cid":"bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4","uri":"at://did:plc:wa7b35aakoll7hugkrjtf3xf/app.bsky.feed.post/3l3pte3p2e325"}},"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}""";

    private static string TestDataDirectory => Path.Combine(AppContext.BaseDirectory, "TestData");

    // ---------------------------------------------------------------- real frames

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

    // ---------------------------------------------------------------- record access

    [Test]
    public void Record_Create_ParsesAsJsonObject()
    {
        var commit = DecodeCommit(ValidCreate);

        var record = commit.Record;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(commit.HasRecord, Is.True);
            Assert.That(record, Is.Not.Null);
            Assert.That(record!.Value.ValueKind, Is.EqualTo(JsonValueKind.Object));
            Assert.That(record.Value.GetProperty("$type").GetString(), Is.EqualTo("app.bsky.feed.like"));
            Assert.That(record.Value.GetProperty("subject").GetProperty("uri").GetString(), Is.EqualTo("at://did:plc:wa7b35aakoll7hugkrjtf3xf/app.bsky.feed.post/3l3pte3p2e325"));
        }
    }

    [Test]
    public void Deserialize_LikeWithTypeInfo_ReturnsRecord()
    {
        var commit = DecodeCommit(ValidCreate);

        var like = commit.Deserialize(LikeJsonContext.Default.LikeRecord);

        AssertIsExpectedLike(like);
    }

    [Test]
    public void Deserialize_LikeWithReflectionOptions_ReturnsRecord()
    {
        var commit = DecodeCommit(ValidCreate);

        var like = commit.Deserialize<LikeRecord>(new JsonSerializerOptions(JsonSerializerDefaults.Web));

        AssertIsExpectedLike(like);
    }

    [Test]
    public void Deserialize_LikeWithDefaultOptions_ReturnsRecord()
    {
        var commit = DecodeCommit(ValidCreate);

        var like = commit.Deserialize<LikeRecord>();

        AssertIsExpectedLike(like);
    }

    [Test]
    public void Record_Delete_HasNoRecordAndNoCid()
    {
        var commit = DecodeCommit(GoldenLine(6));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(commit.Operation, Is.EqualTo(CommitOperation.Delete));
            Assert.That(commit.HasRecord, Is.False);
            Assert.That(commit.Record, Is.Null);
            Assert.That(commit.Cid, Is.Null);
            Assert.That(commit.RecordJson.IsEmpty, Is.True);
            Assert.That(commit.Deserialize(LikeJsonContext.Default.LikeRecord), Is.Null);
            Assert.That(commit.Deserialize<LikeRecord>(), Is.Null);
        }
    }

    // ---------------------------------------------------------------- golden spot checks

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

    // ---------------------------------------------------------------- server cursor

    [Test]
    public void Decode_TopLevelCursor_SetsServerCursor()
    {
        var e = Decode(ValidCreate[..^1] + ""","cursor":123456789}""").Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.ServerCursor, Is.EqualTo(123456789L));
            Assert.That(e.Cursor, Is.EqualTo(123456789L));
        }
    }

    [Test]
    public void Decode_ZeroCursor_LeavesServerCursorNull()
    {
        var e = Decode("""{"cursor":0,""" + ValidCreate[1..]).Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.ServerCursor, Is.Null);
            Assert.That(e.Cursor, Is.EqualTo(1725516665234703L));
        }
    }

    [Test]
    public void Decode_NoCursor_UsesTimeUsAsCursor()
    {
        var e = Decode(ValidCreate).Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.ServerCursor, Is.Null);
            Assert.That(e.Cursor, Is.EqualTo(1725516665234703L));
        }
    }

    // ---------------------------------------------------------------- hostile frames

    private static IEnumerable<TestCaseData> MalformedFrames()
    {
        static TestCaseData Case(string name, byte[] frame, MalformedFrameReason reason, string? detail = null) =>
            new TestCaseData(frame, reason, detail).SetArgDisplayNames(name);

        static TestCaseData Text(string name, string frame, MalformedFrameReason reason, string? detail = null) =>
            Case(name, Encoding.UTF8.GetBytes(frame), reason, detail);

        const string CommitHead = "{\"did\":\"did:plc:a\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{\"rev\":\"r\"";
        const string Identity = """{"did":"did:plc:a","time_us":1,"kind":"identity","identity":""";
        const string Account = """{"did":"did:plc:a","time_us":1,"kind":"account","account":""";

        yield return Case("empty", [], MalformedFrameReason.Empty);
        yield return Case(
            "invalid UTF-8 in a string",
            [.. "{\"did\":\"did:plc:"u8, 0xC3, 0x28, .. "\",\"time_us\":1,\"kind\":\"identity\",\"identity\":{\"seq\":1,\"time\":\"2024-09-05T06:11:04.870Z\"}}"u8],
            MalformedFrameReason.InvalidUtf8);
        yield return Case("lone continuation byte", [.. "{\"did\":\""u8, 0x80, .. "\"}"u8], MalformedFrameReason.InvalidUtf8);
        yield return Text("truncated", """{"did":""", MalformedFrameReason.NotJson);
        yield return Text("truncated event", ValidCreate[..^1], MalformedFrameReason.NotJson);
        yield return Text("bare word", "hello", MalformedFrameReason.NotJson);
        yield return Text("trailing garbage", ValidCreate + "x", MalformedFrameReason.NotJson);
        yield return Text("two objects", ValidCreate + ValidCreate, MalformedFrameReason.NotJson);
        yield return Text("two objects with newline", ValidCreate + "\n" + ValidCreate, MalformedFrameReason.NotJson);
        yield return Text("comment", "/* c */" + ValidCreate, MalformedFrameReason.NotJson);
        yield return Text("trailing comma", """{"did":"did:plc:a","time_us":1,"kind":"sync",}""", MalformedFrameReason.NotJson);
        yield return Text("single quotes", "{'did':'did:plc:a'}", MalformedFrameReason.NotJson);
        yield return Text("array", "[1,2,3]", MalformedFrameReason.NotAnObject);
        yield return Text("array of events", "[" + ValidCreate + "]", MalformedFrameReason.NotAnObject);
        yield return Text("number", "42", MalformedFrameReason.NotAnObject);
        yield return Text("string", "\"did\"", MalformedFrameReason.NotAnObject);
        yield return Text("null", "null", MalformedFrameReason.NotAnObject);
        yield return Text("true", "true", MalformedFrameReason.NotAnObject);

        yield return Text("missing did", """{"time_us":1,"kind":"commit","commit":{}}""", MalformedFrameReason.MissingField, "did");
        yield return Text("missing time_us", """{"did":"did:plc:a","kind":"commit","commit":{}}""", MalformedFrameReason.MissingField, "time_us");
        yield return Text("missing kind", """{"did":"did:plc:a","time_us":1,"commit":{}}""", MalformedFrameReason.MissingField, "kind");
        yield return Text("missing commit", """{"did":"did:plc:a","time_us":1,"kind":"commit"}""", MalformedFrameReason.MissingField, "commit");
        yield return Text("null commit", """{"did":"did:plc:a","time_us":1,"kind":"commit","commit":null}""", MalformedFrameReason.MissingField, "commit");
        yield return Text("missing identity", """{"did":"did:plc:a","time_us":1,"kind":"identity"}""", MalformedFrameReason.MissingField, "identity");
        yield return Text("missing account", """{"did":"did:plc:a","time_us":1,"kind":"account"}""", MalformedFrameReason.MissingField, "account");

        yield return Text("time_us as string", """{"did":"did:plc:a","time_us":"1","kind":"sync"}""", MalformedFrameReason.WrongType, "time_us");
        yield return Text("time_us as fraction", """{"did":"did:plc:a","time_us":1.5,"kind":"sync"}""", MalformedFrameReason.WrongType, "time_us");
        yield return Text("time_us beyond long", """{"did":"did:plc:a","time_us":9223372036854775808,"kind":"sync"}""", MalformedFrameReason.WrongType, "time_us");
        yield return Text("time_us null", """{"did":"did:plc:a","time_us":null,"kind":"sync"}""", MalformedFrameReason.WrongType, "time_us");
        yield return Text("did as number", """{"did":7,"time_us":1,"kind":"sync"}""", MalformedFrameReason.WrongType, "did");
        yield return Text("did as object", """{"did":{"x":"did:plc:a"},"time_us":1,"kind":"sync"}""", MalformedFrameReason.WrongType, "did");
        yield return Text("kind as number", """{"did":"did:plc:a","time_us":1,"kind":1}""", MalformedFrameReason.WrongType, "kind");
        yield return Text("commit as string", """{"did":"did:plc:a","time_us":1,"kind":"commit","commit":"create"}""", MalformedFrameReason.WrongType, "commit");
        yield return Text("identity as array", """{"did":"did:plc:a","time_us":1,"kind":"identity","identity":[]}""", MalformedFrameReason.WrongType, "identity");
        yield return Text("account as number", """{"did":"did:plc:a","time_us":1,"kind":"account","account":1}""", MalformedFrameReason.WrongType, "account");
        yield return Text("cursor as string", ValidCreate[..^1] + ""","cursor":"5"}""", MalformedFrameReason.WrongType, "cursor");

        // In the commit cases the faulty field comes last, so that each case checks one field's mapping alone.
        yield return Text("unknown operation", CommitHead + ""","collection":"a.b.c","rkey":"k","record":{},"cid":"c","operation":"upsert"}""" + "}", MalformedFrameReason.InvalidValue, "commit.operation");
        yield return Text("operation as number", CommitHead + ""","collection":"a.b.c","rkey":"k","operation":1}""" + "}", MalformedFrameReason.WrongType, "commit.operation");
        yield return Text("collection as number", CommitHead + ""","operation":"delete","rkey":"k","collection":1}""" + "}", MalformedFrameReason.WrongType, "commit.collection");
        yield return Text("rkey as number", CommitHead + ""","operation":"delete","collection":"a.b.c","rkey":1}""" + "}", MalformedFrameReason.WrongType, "commit.rkey");
        yield return Text("rev as object", """{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"delete","collection":"a.b.c","rkey":"k","rev":{}}}""", MalformedFrameReason.WrongType, "commit.rev");
        yield return Text("record as string", CommitHead + ""","operation":"create","collection":"a.b.c","rkey":"k","cid":"c","record":"{}"}""" + "}", MalformedFrameReason.WrongType, "commit.record");
        yield return Text("record as array", CommitHead + ""","operation":"create","collection":"a.b.c","rkey":"k","cid":"c","record":[{}]}""" + "}", MalformedFrameReason.WrongType, "commit.record");
        yield return Text("cid as number", CommitHead + ""","operation":"create","collection":"a.b.c","rkey":"k","record":{},"cid":5}""" + "}", MalformedFrameReason.WrongType, "commit.cid");
        yield return Text("missing operation", CommitHead + ""","collection":"a.b.c","rkey":"k"}""" + "}", MalformedFrameReason.MissingField, "commit.operation");
        yield return Text("missing collection", CommitHead + ""","operation":"delete","rkey":"k"}""" + "}", MalformedFrameReason.MissingField, "commit.collection");
        yield return Text("missing rkey", CommitHead + ""","operation":"delete","collection":"a.b.c"}""" + "}", MalformedFrameReason.MissingField, "commit.rkey");
        yield return Text("create without record", CommitHead + ""","operation":"create","collection":"a.b.c","rkey":"k","cid":"c"}""" + "}", MalformedFrameReason.MissingField, "commit.record");
        yield return Text("create with null record", CommitHead + ""","operation":"create","collection":"a.b.c","rkey":"k","record":null,"cid":"c"}""" + "}", MalformedFrameReason.MissingField, "commit.record");
        yield return Text("create without cid", CommitHead + ""","operation":"create","collection":"a.b.c","rkey":"k","record":{}}""" + "}", MalformedFrameReason.MissingField, "commit.cid");
        yield return Text("update without record", CommitHead + ""","operation":"update","collection":"a.b.c","rkey":"k","cid":"c"}""" + "}", MalformedFrameReason.MissingField, "commit.record");
        yield return Text("update with null cid", CommitHead + ""","operation":"update","collection":"a.b.c","rkey":"k","record":{},"cid":null}""" + "}", MalformedFrameReason.MissingField, "commit.cid");

        yield return Text("identity without seq", Identity + """{"did":"did:plc:a","time":"2024-09-05T06:11:04.870Z"}}""", MalformedFrameReason.MissingField, "identity.seq");
        yield return Text("identity without time", Identity + """{"did":"did:plc:a","seq":1}}""", MalformedFrameReason.MissingField, "identity.time");
        yield return Text("identity seq as string", Identity + """{"seq":"1","time":"2024-09-05T06:11:04.870Z"}}""", MalformedFrameReason.WrongType, "identity.seq");
        yield return Text("identity time as number", Identity + """{"seq":1,"time":5}}""", MalformedFrameReason.WrongType, "identity.time");
        yield return Text("identity time not a date", Identity + """{"seq":1,"time":"yesterday"}}""", MalformedFrameReason.InvalidValue, "identity.time");
        yield return Text("identity handle as number", Identity + """{"seq":1,"time":"2024-09-05T06:11:04.870Z","handle":5}}""", MalformedFrameReason.WrongType, "identity.handle");
        yield return Text("account without active", Account + """{"did":"did:plc:a","seq":1,"time":"2024-09-05T06:11:04.870Z"}}""", MalformedFrameReason.MissingField, "account.active");
        yield return Text("account active as string", Account + """{"active":"true","seq":1,"time":"2024-09-05T06:11:04.870Z"}}""", MalformedFrameReason.WrongType, "account.active");
        yield return Text("account without seq", Account + """{"active":true,"time":"2024-09-05T06:11:04.870Z"}}""", MalformedFrameReason.MissingField, "account.seq");
        yield return Text("account without time", Account + """{"active":true,"seq":1}}""", MalformedFrameReason.MissingField, "account.time");
        yield return Text("account status as bool", Account + """{"active":false,"seq":1,"time":"2024-09-05T06:11:04.870Z","status":false}}""", MalformedFrameReason.WrongType, "account.status");

    }

    [TestCaseSource(nameof(MalformedFrames))]
    public void Decode_MalformedFrame_ReportsReasonAndDetail(byte[] frame, MalformedFrameReason reason, string? detail)
    {
        var result = JetstreamEventDecoder.Decode(frame);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.MalformedReason, Is.EqualTo(reason), result.ToString);
            Assert.That(result.Detail, Is.EqualTo(detail));
            Assert.That(result.Event, Is.Null);
            Assert.That(result.UnknownKind, Is.Null);
        }
    }

    private static IEnumerable<TestCaseData> MalformedFramesWithFieldsAfterTheFault()
    {
        static TestCaseData Text(string name, string frame, MalformedFrameReason reason, string? detail) =>
            new TestCaseData(Encoding.UTF8.GetBytes(frame), reason, detail).SetArgDisplayNames(name);

        const string Time = "2024-09-05T06:11:04.870Z";
        yield return Text("unknown operation, server key order", """{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"rev":"r","operation":"upsert","collection":"a.b.c","rkey":"k","record":{},"cid":"c"}}""", MalformedFrameReason.InvalidValue, "commit.operation");
        yield return Text("rev as number, server key order", """{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"rev":1,"operation":"delete","collection":"a.b.c","rkey":"k"}}""", MalformedFrameReason.WrongType, "commit.rev");
        yield return Text("record as string, then cid", """{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"rev":"r","operation":"create","collection":"a.b.c","rkey":"k","record":"{}","cid":"c"}}""", MalformedFrameReason.WrongType, "commit.record");
        yield return Text("operation as object, last", """{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"rev":"r","collection":"a.b.c","rkey":"k","operation":{"x":1}}}""", MalformedFrameReason.WrongType, "commit.operation");
        yield return Text("collection as array, last", """{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"rev":"r","operation":"delete","rkey":"k","collection":["a.b.c"]}}""", MalformedFrameReason.WrongType, "commit.collection");
        yield return Text("identity seq as string, then handle", $$$"""{"did":"did:plc:a","time_us":1,"kind":"identity","identity":{"seq":"1","handle":"a.test","time":"{{{Time}}}"}}""", MalformedFrameReason.WrongType, "identity.seq");
        yield return Text("account active as string, then status", $$$"""{"did":"did:plc:a","time_us":1,"kind":"account","account":{"active":"no","status":"deactivated","seq":1,"time":"{{{Time}}}"}}""", MalformedFrameReason.WrongType, "account.active");
    }

    [TestCaseSource(nameof(MalformedFramesWithFieldsAfterTheFault))]
    public void Decode_FaultFollowedByMoreFields_ReportsTheFault(byte[] frame, MalformedFrameReason reason, string? detail)
    {
        var result = JetstreamEventDecoder.Decode(frame);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.MalformedReason, Is.EqualTo(reason), result.ToString);
            Assert.That(result.Detail, Is.EqualTo(detail));
        }
    }

    [Test]
    public void Timestamp_TimeUsBeyondDateTimeRange_DoesNotWrapAround()
    {
        // 1,844,674,407,370,955,162 µs × 10 ticks overflows long and wraps to 4 ticks: 1970-01-01 plus 400 ns.
        var result = Decode("""{"did":"did:plc:a","time_us":1844674407370955162,"kind":"commit","commit":{"rev":"r","operation":"delete","collection":"a.b.c","rkey":"k"}}""");

        Assert.That(() => result.Event!.Timestamp, Throws.TypeOf<ArgumentOutOfRangeException>().Or.TypeOf<OverflowException>());
    }

    [Test]
    public void Decode_RecordNested20000Deep_ReturnsTooDeep()
    {
        var result = Decode(CreateWithRecord(NestedArrays(20_000)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.MalformedReason, Is.EqualTo(MalformedFrameReason.TooDeep), result.ToString);
            Assert.That(result.Event, Is.Null);
        }
    }

    [Test]
    public void Decode_ObjectsNested20000DeepInUnknownField_ReturnsTooDeep()
    {
        var nested = string.Concat(Enumerable.Repeat("""{"a":""", 20_000)) + "1" + new string('}', 20_000);

        var result = Decode("""{"did":"did:plc:a","time_us":1,"kind":"commit","extra":""" + nested + "}");

        Assert.That(result.MalformedReason, Is.EqualTo(MalformedFrameReason.TooDeep), result.ToString);
    }

    [Test]
    public void Decode_TopLevelArrayNested20000Deep_ReturnsTooDeep()
    {
        var result = Decode(NestedArrays(20_000));

        Assert.That(result.MalformedReason, Is.EqualTo(MalformedFrameReason.TooDeep), result.ToString);
    }

    [Test]
    public void Decode_RecordNested400Deep_DecodesAndParses()
    {
        var record = NestedArrays(400);

        var result = Decode(CreateWithRecord(record));

        Assert.That(result.Event, Is.TypeOf<CommitEvent>(), result.ToString);
        var commit = ((CommitEvent)result.Event!).Commit;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Encoding.UTF8.GetString(commit.RecordJson.Span), Is.EqualTo("""{"deep":""" + record + "}"));
            Assert.That(commit.Record!.Value.GetProperty("deep").ValueKind, Is.EqualTo(JsonValueKind.Array));
        }
    }

    [Test]
    public void Decode_NestingAtMaxDepth_Decodes()
    {
        // The frame object is depth 1, commit 2, record 3: the arrays bring the deepest token to MaxDepth.
        var result = Decode(CreateWithRecord(NestedArrays(JetstreamEventDecoder.MaxDepth - 3)));

        Assert.That(result.Event, Is.TypeOf<CommitEvent>(), result.ToString);
    }

    [Test]
    public void Decode_NestingOneBeyondMaxDepth_ReturnsTooDeep()
    {
        var result = Decode(CreateWithRecord(NestedArrays(JetstreamEventDecoder.MaxDepth - 2)));

        Assert.That(result.MalformedReason, Is.EqualTo(MalformedFrameReason.TooDeep), result.ToString);
    }

    [Test]
    public void Decode_UnknownKind_ReportsKindWithoutEventOrReason()
    {
        var result = Decode("""{"did":"did:plc:a","time_us":1,"kind":"sync","sync":{"blocks":"AAAA","rev":"r"}}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.UnknownKind, Is.EqualTo("sync"));
            Assert.That(result.Event, Is.Null);
            Assert.That(result.MalformedReason, Is.Null);
            Assert.That(result.Detail, Is.Null);
        }
    }

    [Test]
    public void Decode_VeryLongUnknownKind_CutsKindTo64Characters()
    {
        var kind = new string('k', 1000);

        var result = Decode($$"""{"did":"did:plc:a","time_us":1,"kind":"{{kind}}"}""");

        Assert.That(result.UnknownKind, Is.EqualTo(new string('k', 64)));
    }

    [Test]
    public void Decode_UnknownFieldsAtEveryLevel_AreIgnored()
    {
        var plain = DecodeCommitEvent(ValidCreate);
        var noisy = ValidCreate
            .Replace("""{"did":""", """{"v":2,"extra":{"a":[1,{"b":null}],"did":"did:plc:decoy"},"did":""", StringComparison.Ordinal)
            .Replace("""commit":{"rev":""", """commit":{"seq":31527015322,"blocks":{"$bytes":"AA"},"prev":null,"rev":""", StringComparison.Ordinal)
            .Replace(""","cid":"bafyreidw""", ""","unknown":[[],{}],"cid":"bafyreidw""", StringComparison.Ordinal);
        noisy = noisy[..^1] + ""","trailer":true}""";
        Assert.That(noisy, Does.Contain("decoy").And.Contain("blocks").And.Contain("unknown").And.Contain("trailer"));

        var e = DecodeCommitEvent(noisy);

        AssertSameCommitEvent(e, plain);
    }

    [Test]
    public void Decode_UnknownFieldsInIdentityAndAccount_AreIgnored()
    {
        var identity = Decode($$"""{"kind":"identity","identity":{"x":{"y":[1]},"seq":1,"handle":"a.test","z":"w","time":"2024-09-05T06:11:04.870Z"},"did":"{{Did}}","time_us":2,"w":0}""");
        var account = Decode($$"""{"account":{"x":[],"active":true,"seq":3,"time":"2024-09-05T06:11:04.870Z","y":null},"did":"{{Did}}","time_us":4,"kind":"account"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(identity.Event, Is.TypeOf<IdentityEvent>(), identity.ToString);
            Assert.That((identity.Event as IdentityEvent)?.Handle, Is.EqualTo("a.test"));
            Assert.That(account.Event, Is.TypeOf<AccountEvent>(), account.ToString);
            Assert.That((account.Event as AccountEvent)?.Seq, Is.EqualTo(3));
        }
    }

    [Test]
    public void Decode_FieldsInAnyOrder_DecodeTheSame()
    {
        var plain = DecodeCommitEvent(ValidCreate);
        var reordered = DecodeCommitEvent(
            """{"commit":{"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi","record":{"$type":"app.bsky.feed.like","createdAt":"2024-09-09T19:46:02.102Z","subject":{"cid":"bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4","uri":"at://did:plc:wa7b35aakoll7hugkrjtf3xf/app.bsky.feed.post/3l3pte3p2e325"}},"rkey":"3l3qo2vuowo2b","collection":"app.bsky.feed.like","operation":"create","rev":"3l3qo2vutsw2b"},"kind":"commit","time_us":1725516665234703,"did":"did:plc:ufbl4k27gp6kzas5glhz7fim"}""");

        AssertSameCommitEvent(reordered, plain);
    }

    [Test]
    public void Decode_EscapedCollection_ReturnsUnescapedValue()
    {
        var e = DecodeCommitEvent(ValidCreate.Replace("\"app.bsky.feed.like\",\"rkey\"", "\"app.bsky.feed.l\\u0069ke\",\"rkey\"", StringComparison.Ordinal));

        Assert.That(e.Commit.Collection, Is.EqualTo("app.bsky.feed.like"));
    }

    [Test]
    public void Decode_EscapedPostCollection_ReturnsUnescapedValue()
    {
        var e = DecodeCommitEvent(CommitPrefix("delete") + ""","collection":"app.bsky.feed.po\u0073t","rkey":"k"}}""");

        Assert.That(e.Commit.Collection, Is.EqualTo("app.bsky.feed.post"));
    }

    [Test]
    public void Decode_EscapedNamesAndValues_AreUnescaped()
    {
        var result = Decode("""{"d\u0069d":"did:plc:\u0061b","time_us":1,"k\u0069nd":"comm\u0069t","commit":{"rev":"r","operati\u006Fn":"d\u0065lete","collection":"a.b.c","rkey":"k\/1"}}""");

        Assert.That(result.Event, Is.TypeOf<CommitEvent>(), result.ToString);
        var e = (CommitEvent)result.Event!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Did, Is.EqualTo("did:plc:ab"));
            Assert.That(e.Commit.Operation, Is.EqualTo(CommitOperation.Delete));
            Assert.That(e.Commit.RKey, Is.EqualTo("k/1"));
        }
    }

    [Test]
    public void Decode_SurroundingWhitespace_Decodes()
    {
        var result = Decode(" \r\n\t" + ValidCreate + "\n \r\n");

        Assert.That(result.Event, Is.TypeOf<CommitEvent>(), result.ToString);
    }

    [Test]
    public void Decode_RecordWithUnicodeAndEscapes_KeepsRawBytes()
    {
        var record = """{"text":"caf\u00e9 ☕ \"q\" 🔞","n":12345678901234567890123,"f":1e400}""";

        var commit = DecodeCommit(CreateWithRecordObject(record));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Encoding.UTF8.GetString(commit.RecordJson.Span), Is.EqualTo(record));
            Assert.That(commit.Record!.Value.GetProperty("text").GetString(), Is.EqualTo("café ☕ \"q\" 🔞"));
            Assert.That(commit.Record!.Value.GetProperty("n").GetRawText(), Is.EqualTo("12345678901234567890123"));
        }
    }

    [Test]
    public void Decode_RecordBytes_AreIndependentOfInputBuffer()
    {
        var frame = Encoding.UTF8.GetBytes(ValidCreate);
        var commit = ((CommitEvent)JetstreamEventDecoder.Decode(frame).Event!).Commit;
        var before = Encoding.UTF8.GetString(commit.RecordJson.Span);

        // The transport reuses its receive buffer: the event must not see the next message's bytes.
        Array.Fill(frame, (byte)'x');

        Assert.That(Encoding.UTF8.GetString(commit.RecordJson.Span), Is.EqualTo(before));
    }

    // ---------------------------------------------------------------- robustness

    [Test]
    public void Decode_RandomBytes_NeverThrowsAndReturnsExactlyOneOutcome()
    {
        var random = new Random(20260704);
        var failures = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var frame = new byte[random.Next(0, 96)];
            random.NextBytes(frame);
            CheckOutcome(frame, failures);
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void Decode_RandomJsonLikeText_NeverThrowsAndReturnsExactlyOneOutcome()
    {
        // Bytes from JSON's own alphabet reach much further into the parser than uniform noise does.
        var alphabet = "{}[]\":,\\ 0123456789.eE-+truefalsnl\"did\"time_us\"kind\"commit"u8.ToArray();
        var random = new Random(31527015);
        var failures = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var frame = new byte[random.Next(0, 128)];
            for (var j = 0; j < frame.Length; j++)
            {
                frame[j] = alphabet[random.Next(alphabet.Length)];
            }

            CheckOutcome(frame, failures);
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void Decode_MutatedRealLines_NeverThrowsAndOnlyAcceptsWellFormedJson()
    {
        var lines = SplitLines(File.ReadAllBytes(Path.Combine(TestDataDirectory, "golden_v1.jsonl"))).ToArray();
        var random = new Random(1779719009);
        var failures = new List<string>();
        var decoded = 0;
        for (var i = 0; i < 4000; i++)
        {
            var frame = Mutate(lines[random.Next(lines.Length)], random);
            if (CheckOutcome(frame, failures) is not null)
            {
                decoded++;
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failures, Is.Empty);

            // Some mutations land in string values and leave a valid event: the oracle was really exercised.
            Assert.That(decoded, Is.GreaterThan(100));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static JetstreamDecodeResult Decode(string frame) => JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(frame));

    private static CommitEvent DecodeCommitEvent(string frame)
    {
        var result = Decode(frame);
        Assert.That(result.Event, Is.TypeOf<CommitEvent>(), result.ToString);
        return (CommitEvent)result.Event!;
    }

    private static JetstreamCommit DecodeCommit(string frame) => DecodeCommitEvent(frame).Commit;

    private static string GoldenLine(int number) => File.ReadAllLines(Path.Combine(TestDataDirectory, "golden_v1.jsonl"))[number - 1];

    private static string CommitPrefix(string operation) =>
        $"{{\"did\":\"did:plc:a\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{{\"rev\":\"r\",\"operation\":\"{operation}\"";

    private static string NestedArrays(int depth) => new string('[', depth) + new string(']', depth);

    private static string CreateWithRecord(string deepValue) => CreateWithRecordObject("""{"deep":""" + deepValue + "}");

    private static string CreateWithRecordObject(string record) =>
        CommitPrefix("create") + ""","collection":"a.b.c","rkey":"k","record":""" + record + ""","cid":"c"}}""";

    private static IEnumerable<byte[]> SplitLines(byte[] file)
    {
        var start = 0;
        for (var i = 0; i <= file.Length; i++)
        {
            if (i == file.Length || file[i] == (byte)'\n')
            {
                if (i > start)
                {
                    yield return file[start..i];
                }

                start = i + 1;
            }
        }
    }

    private static JetstreamEventKind ParseKind(string? kind) => kind switch
    {
        "commit" => JetstreamEventKind.Commit,
        "identity" => JetstreamEventKind.Identity,
        "account" => JetstreamEventKind.Account,
        _ => throw new AssertionException($"the corpus has an unexpected kind '{kind}'"),
    };

    private static CommitOperation ParseOperation(string? operation) => operation switch
    {
        "create" => CommitOperation.Create,
        "update" => CommitOperation.Update,
        "delete" => CommitOperation.Delete,
        _ => throw new AssertionException($"the corpus has an unexpected operation '{operation}'"),
    };

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    private static void AssertCommitMatches(JetstreamCommit commit, JsonElement expected)
    {
        var hasRecord = expected.TryGetProperty("record", out var record);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(commit.Rev, Is.EqualTo(expected.GetProperty("rev").GetString()));
            Assert.That(commit.Operation, Is.EqualTo(ParseOperation(expected.GetProperty("operation").GetString())));
            Assert.That(commit.Collection, Is.EqualTo(expected.GetProperty("collection").GetString()));
            Assert.That(commit.RKey, Is.EqualTo(expected.GetProperty("rkey").GetString()));
            Assert.That(commit.Cid, Is.EqualTo(OptionalString(expected, "cid")));
            Assert.That(commit.HasRecord, Is.EqualTo(hasRecord));
            if (hasRecord)
            {
                Assert.That(Encoding.UTF8.GetString(commit.RecordJson.Span), Is.EqualTo(record.GetRawText()));
                Assert.That(commit.Record?.GetRawText(), Is.EqualTo(record.GetRawText()));
                Assert.That(commit.Record?.GetProperty("$type").GetString(), Is.EqualTo(commit.Collection));
            }
            else
            {
                Assert.That(commit.Record, Is.Null);
            }
        }
    }

    private static void AssertIdentityMatches(IdentityEvent identity, JsonElement expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(identity.Seq, Is.EqualTo(expected.GetProperty("seq").GetInt64()));
            Assert.That(identity.Time, Is.EqualTo(expected.GetProperty("time").GetDateTimeOffset()));
            Assert.That(identity.Handle, Is.EqualTo(OptionalString(expected, "handle")));
        }
    }

    private static void AssertAccountMatches(AccountEvent account, JsonElement expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(account.Active, Is.EqualTo(expected.GetProperty("active").GetBoolean()));
            Assert.That(account.Status, Is.EqualTo(OptionalString(expected, "status")));
            Assert.That(account.Seq, Is.EqualTo(expected.GetProperty("seq").GetInt64()));
            Assert.That(account.Time, Is.EqualTo(expected.GetProperty("time").GetDateTimeOffset()));
        }
    }

    private static void AssertSameCommitEvent(CommitEvent actual, CommitEvent expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual.Did, Is.EqualTo(expected.Did));
            Assert.That(actual.TimeUs, Is.EqualTo(expected.TimeUs));
            Assert.That(actual.ServerCursor, Is.EqualTo(expected.ServerCursor));
            Assert.That(actual.Commit.Rev, Is.EqualTo(expected.Commit.Rev));
            Assert.That(actual.Commit.Operation, Is.EqualTo(expected.Commit.Operation));
            Assert.That(actual.Commit.Collection, Is.EqualTo(expected.Commit.Collection));
            Assert.That(actual.Commit.RKey, Is.EqualTo(expected.Commit.RKey));
            Assert.That(actual.Commit.Cid, Is.EqualTo(expected.Commit.Cid));
            Assert.That(actual.Commit.RecordJson.ToArray(), Is.EqualTo(expected.Commit.RecordJson.ToArray()));
        }
    }

    private static void AssertIsExpectedLike(LikeRecord? like)
    {
        Assert.That(like, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(like!.Type, Is.EqualTo("app.bsky.feed.like"));
            Assert.That(like.CreatedAt, Is.EqualTo(new DateTimeOffset(2024, 9, 9, 19, 46, 2, 102, TimeSpan.Zero)));
            Assert.That(like.Subject?.Uri, Is.EqualTo("at://did:plc:wa7b35aakoll7hugkrjtf3xf/app.bsky.feed.post/3l3pte3p2e325"));
            Assert.That(like.Subject?.Cid, Is.EqualTo("bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4"));
        }
    }

    /// <summary>
    /// Decodes and checks the invariants that hold for any input: no exception, exactly one outcome, and an event
    /// only for text that is valid UTF-8 and one well-formed JSON value.
    /// </summary>
    private static JetstreamEvent? CheckOutcome(byte[] frame, List<string> failures)
    {
        JetstreamDecodeResult result;
        try
        {
            result = JetstreamEventDecoder.Decode(frame);
        }
        catch (Exception ex)
        {
            failures.Add($"{Convert.ToHexString(frame)}: threw {ex.GetType().Name}: {ex.Message}");
            return null;
        }

        var outcomes = (result.Event is null ? 0 : 1) + (result.UnknownKind is null ? 0 : 1) + (result.MalformedReason is null ? 0 : 1);
        if (outcomes != 1)
        {
            failures.Add($"{Convert.ToHexString(frame)}: {outcomes} outcomes ({result})");
        }

        if (result.Event is not null && !IsOneJsonValue(frame))
        {
            failures.Add($"{Convert.ToHexString(frame)}: decoded an event from text that is not one JSON value");
        }

        return result.Event;
    }

    private static bool IsOneJsonValue(byte[] frame)
    {
        try
        {
            using var document = JsonDocument.Parse(frame, new JsonDocumentOptions { MaxDepth = JetstreamEventDecoder.MaxDepth });
            return System.Text.Unicode.Utf8.IsValid(frame);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] Mutate(byte[] line, Random random)
    {
        var bytes = line.ToList();
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[at] = (byte)"{}[]\":,0a\\"[random.Next(10)];
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.Insert(at, (byte)"{}[]\":,0a\\ "[random.Next(11)]);
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    var from = random.Next(bytes.Count);
                    var length = Math.Min(random.Next(1, 40), bytes.Count - from);
                    bytes.InsertRange(at, bytes.GetRange(from, length));
                    break;
            }
        }

        return [.. bytes];
    }

    private sealed record LikeRecord(
        [property: JsonPropertyName("$type")] string? Type,
        DateTimeOffset CreatedAt,
        StrongRef? Subject);

    private sealed record StrongRef(string? Cid, string? Uri);

    [JsonSerializable(typeof(LikeRecord))]
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    private sealed partial class LikeJsonContext : JsonSerializerContext;
}
