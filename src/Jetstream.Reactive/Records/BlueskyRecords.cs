using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>
/// The record types this library models, by collection NSID: for code that meets many collections and wants the typed
/// record of whichever it is.
/// </summary>
public static class BlueskyRecords
{
    private static readonly FrozenDictionary<string, JsonTypeInfo> ByCollection = new Dictionary<string, JsonTypeInfo>(StringComparer.Ordinal)
    {
        [PostRecord.Collection] = PostRecord.JsonTypeInfo,
        [LikeRecord.Collection] = LikeRecord.JsonTypeInfo,
        [RepostRecord.Collection] = RepostRecord.JsonTypeInfo,
        [FollowRecord.Collection] = FollowRecord.JsonTypeInfo,
        [BlockRecord.Collection] = BlockRecord.JsonTypeInfo,
        [ListRecord.Collection] = ListRecord.JsonTypeInfo,
        [ListItemRecord.Collection] = ListItemRecord.JsonTypeInfo,
        [StarterPackRecord.Collection] = StarterPackRecord.JsonTypeInfo,
        [ProfileRecord.Collection] = ProfileRecord.JsonTypeInfo,
        [ThreadgateRecord.Collection] = ThreadgateRecord.JsonTypeInfo,
        [PostgateRecord.Collection] = PostgateRecord.JsonTypeInfo,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The collections with a record type here, such as <c>app.bsky.feed.post</c>.</summary>
    public static IReadOnlyCollection<string> Collections => ByCollection.Keys;

    /// <summary>Finds the metadata of a collection's record type.</summary>
    /// <param name="collection">A collection NSID.</param>
    /// <param name="typeInfo">The metadata (its <see cref="JsonTypeInfo.Type"/> is the record type), or <see langword="null"/>.</param>
    /// <returns>Whether the collection has a record type here.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="collection"/> is <see langword="null"/>.</exception>
    public static bool TryGetTypeInfo(string collection, [NotNullWhen(true)] out JsonTypeInfo? typeInfo)
    {
        ArgumentNullException.ThrowIfNull(collection);
        return ByCollection.TryGetValue(collection, out typeInfo);
    }

    /// <summary>Deserializes a commit's record into the type of its collection, if it has one here.</summary>
    /// <param name="commit">The commit.</param>
    /// <returns>
    /// The record (a <see cref="PostRecord"/>, a <see cref="LikeRecord"/>, …); <see langword="null"/> for deletes and for
    /// collections without a type here.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="commit"/> is <see langword="null"/>.</exception>
    /// <exception cref="JsonException">The record does not fit its collection's type.</exception>
    public static object? Deserialize(JetstreamCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        return commit.HasRecord && ByCollection.TryGetValue(commit.Collection, out var typeInfo)
            ? JsonSerializer.Deserialize(commit.RecordJson.Span, typeInfo)
            : null;
    }
}
