using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>Who may reply to a thread (<c>app.bsky.feed.threadgate</c>); its record key is the root post's.</summary>
public sealed record ThreadgateRecord : IBlueskyRecord<ThreadgateRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.feed.threadgate</c>.</summary>
    public static string Collection => "app.bsky.feed.threadgate";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<ThreadgateRecord> JsonTypeInfo => BlueskyJsonContext.Default.ThreadgateRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>The thread's root post (<c>post</c>).</summary>
    public required AtUri Post { get; init; }

    /// <summary>
    /// Who may reply besides the author (<c>allow</c>): anyone matching any rule. <see langword="null"/> means
    /// everyone may reply; an empty list means nobody may.
    /// </summary>
    public IReadOnlyList<ThreadgateRule>? Allow { get; init; }

    /// <summary>Replies the author hid (<c>hiddenReplies</c>).</summary>
    public IReadOnlyList<AtUri>? HiddenReplies { get; init; }

    /// <summary>When the author's client says the record was made (<c>createdAt</c>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
