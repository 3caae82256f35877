using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Protocol.V1;

/// <summary>Frames, golden lines and independent-parse checks shared by the v1 decoder tests.</summary>
internal static class V1Frames
{
    internal const string Did = "did:plc:ufbl4k27gp6kzas5glhz7fim";

    // A valid create; the hostile cases in V1DecoderMalformedFrameTests are small edits of it.
    internal const string ValidCreate =
        """{"did":"did:plc:ufbl4k27gp6kzas5glhz7fim","time_us":1725516665234703,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.like","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.like","createdAt":"2024-09-09T19:46:02.102Z","subject":{"cid":"bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4","uri":"at://did:plc:wa7b35aakoll7hugkrjtf3xf/app.bsky.feed.post/3l3pte3p2e325"}},"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}""";

    internal static string TestDataDirectory => Path.Combine(AppContext.BaseDirectory, "TestData");

    internal static JetstreamDecodeResult Decode(string frame) => JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(frame));

    internal static CommitEvent DecodeCommitEvent(string frame)
    {
        var result = Decode(frame);
        Assert.That(result.Event, Is.TypeOf<CommitEvent>(), result.ToString);
        return (CommitEvent)result.Event!;
    }

    internal static JetstreamCommit DecodeCommit(string frame) => DecodeCommitEvent(frame).Commit;

    internal static string GoldenLine(int number) => File.ReadAllLines(Path.Combine(TestDataDirectory, "golden_v1.jsonl"))[number - 1];

    internal static string CommitPrefix(string operation) =>
        $"{{\"did\":\"did:plc:a\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{{\"rev\":\"r\",\"operation\":\"{operation}\"";

    internal static string NestedArrays(int depth) => new string('[', depth) + new string(']', depth);

    internal static string CreateWithRecord(string deepValue) => CreateWithRecordObject("""{"deep":""" + deepValue + "}");

    internal static string CreateWithRecordObject(string record) =>
        CommitPrefix("create") + ""","collection":"a.b.c","rkey":"k","record":""" + record + ""","cid":"c"}}""";

    internal static IEnumerable<byte[]> SplitLines(byte[] file)
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

    internal static JetstreamEventKind ParseKind(string? kind) => kind switch
    {
        "commit" => JetstreamEventKind.Commit,
        "identity" => JetstreamEventKind.Identity,
        "account" => JetstreamEventKind.Account,
        _ => throw new AssertionException($"the corpus has an unexpected kind '{kind}'"),
    };

    internal static CommitOperation ParseOperation(string? operation) => operation switch
    {
        "create" => CommitOperation.Create,
        "update" => CommitOperation.Update,
        "delete" => CommitOperation.Delete,
        _ => throw new AssertionException($"the corpus has an unexpected operation '{operation}'"),
    };

    internal static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    internal static void AssertCommitMatches(JetstreamCommit commit, JsonElement expected)
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

    internal static void AssertIdentityMatches(IdentityEvent identity, JsonElement expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(identity.Seq, Is.EqualTo(expected.GetProperty("seq").GetInt64()));
            Assert.That(identity.Time, Is.EqualTo(expected.GetProperty("time").GetDateTimeOffset()));
            Assert.That(identity.Handle, Is.EqualTo(OptionalString(expected, "handle")));
        }
    }

    internal static void AssertAccountMatches(AccountEvent account, JsonElement expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(account.Active, Is.EqualTo(expected.GetProperty("active").GetBoolean()));
            Assert.That(account.Status, Is.EqualTo(OptionalString(expected, "status")));
            Assert.That(account.Seq, Is.EqualTo(expected.GetProperty("seq").GetInt64()));
            Assert.That(account.Time, Is.EqualTo(expected.GetProperty("time").GetDateTimeOffset()));
        }
    }

    internal static void AssertSameCommitEvent(CommitEvent actual, CommitEvent expected)
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

    /// <summary>
    /// Decodes and checks the invariants that hold for any input: no exception, exactly one outcome, and an event
    /// only for text that is valid UTF-8 and one well-formed JSON value.
    /// </summary>
    internal static JetstreamEvent? CheckOutcome(byte[] frame, List<string> failures)
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

    internal static bool IsOneJsonValue(byte[] frame)
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
}
