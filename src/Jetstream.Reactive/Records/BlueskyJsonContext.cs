using System.Text.Json;
using System.Text.Json.Serialization;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>
/// Source-generated System.Text.Json metadata for every record type in this namespace: no reflection at run time, safe
/// to trim and to compile ahead of time. Pass <c>BlueskyJsonContext.Default.PostRecord</c> (and so on) to
/// <see cref="JetstreamCommit.Deserialize{T}(System.Text.Json.Serialization.Metadata.JsonTypeInfo{T})"/> or
/// <see cref="JsonSerializer"/>.
/// </summary>
/// <remarks>
/// Property names are the lexicons' camelCase names, matched case-sensitively; unknown properties are skipped; a
/// missing required property, or <c>null</c> where the lexicon has no null, fails the record; <see langword="null"/>
/// properties are left out when writing.
/// </remarks>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.General,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    MaxDepth = JetstreamEventDecoder.MaxDepth,
    Converters = [typeof(AtDateTimeJsonConverter)])]
[JsonSerializable(typeof(PostRecord))]
[JsonSerializable(typeof(LikeRecord))]
[JsonSerializable(typeof(RepostRecord))]
[JsonSerializable(typeof(FollowRecord))]
[JsonSerializable(typeof(BlockRecord))]
[JsonSerializable(typeof(ListRecord))]
[JsonSerializable(typeof(ListItemRecord))]
[JsonSerializable(typeof(StarterPackRecord))]
[JsonSerializable(typeof(ProfileRecord))]
[JsonSerializable(typeof(ThreadgateRecord))]
[JsonSerializable(typeof(PostgateRecord))]
[JsonSerializable(typeof(ImagesEmbed))]
[JsonSerializable(typeof(VideoEmbed))]
[JsonSerializable(typeof(ExternalEmbed))]
[JsonSerializable(typeof(RecordEmbed))]
[JsonSerializable(typeof(RecordWithMediaEmbed))]
[JsonSerializable(typeof(MentionFeature))]
[JsonSerializable(typeof(LinkFeature))]
[JsonSerializable(typeof(TagFeature))]
[JsonSerializable(typeof(SelfLabels))]
[JsonSerializable(typeof(MentionRule))]
[JsonSerializable(typeof(FollowerRule))]
[JsonSerializable(typeof(FollowingRule))]
[JsonSerializable(typeof(ListRule))]
[JsonSerializable(typeof(DisableRule))]
[JsonSerializable(typeof(StrongRef))]
[JsonSerializable(typeof(BlobRef))]
[JsonSerializable(typeof(AtUri))]
[JsonSerializable(typeof(Cid))]
public sealed partial class BlueskyJsonContext : JsonSerializerContext;
