using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Protocol.V1;

using static Jetstream.Reactive.Tests.Protocol.V1.V1Frames;

/// <summary>A decoded commit's record: parsed as JSON, deserialized with type info, reflection or defaults; absent on delete.</summary>
public sealed partial class V1DecoderRecordTests
{
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

    private sealed record LikeRecord(
        [property: JsonPropertyName("$type")] string? Type,
        DateTimeOffset CreatedAt,
        StrongRef? Subject);

    private sealed record StrongRef(string? Cid, string? Uri);

    [JsonSerializable(typeof(LikeRecord))]
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    private sealed partial class LikeJsonContext : JsonSerializerContext;
}
