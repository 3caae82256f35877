using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Protocol.V1;

using static Jetstream.Reactive.Tests.Protocol.V1.V1Frames;

/// <summary>Hostile and unusual v1 frames: each fault reported with its reason, depth capped, unknown kinds and fields tolerated, escapes and whitespace handled.</summary>
public sealed class V1DecoderMalformedFrameTests
{
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
}
