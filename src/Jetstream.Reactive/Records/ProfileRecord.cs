using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>An account's profile (<c>app.bsky.actor.profile</c>, record key <c>self</c>). Every field is optional.</summary>
public sealed record ProfileRecord : IBlueskyRecord<ProfileRecord>
{
    /// <summary>The collection NSID, <c>app.bsky.actor.profile</c>.</summary>
    public static string Collection => "app.bsky.actor.profile";

    /// <summary>Source-generated metadata from <see cref="BlueskyJsonContext"/>.</summary>
    public static JsonTypeInfo<ProfileRecord> JsonTypeInfo => BlueskyJsonContext.Default.ProfileRecord;

    /// <summary>The record's <c>$type</c>: <see cref="Collection"/>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
#pragma warning disable CA1822 // An instance member, so that the serializer writes $type.
    public string Type => Collection;
#pragma warning restore CA1822

    /// <summary>The display name (<c>displayName</c>).</summary>
    public string? DisplayName { get; init; }

    /// <summary>The bio (<c>description</c>).</summary>
    public string? Description { get; init; }

    /// <summary>The pronouns (<c>pronouns</c>).</summary>
    public string? Pronouns { get; init; }

    /// <summary>A website (<c>website</c>).</summary>
    public string? Website { get; init; }

    /// <summary>The profile picture (<c>avatar</c>).</summary>
    public BlobRef? Avatar { get; init; }

    /// <summary>The banner image (<c>banner</c>).</summary>
    public BlobRef? Banner { get; init; }

    /// <summary>Labels the author applied (<c>labels</c>).</summary>
    public RecordLabels? Labels { get; init; }

    /// <summary>The starter pack the account signed up through (<c>joinedViaStarterPack</c>).</summary>
    public StrongRef? JoinedViaStarterPack { get; init; }

    /// <summary>The pinned post (<c>pinnedPost</c>).</summary>
    public StrongRef? PinnedPost { get; init; }

    /// <summary>When the profile was first written (<c>createdAt</c>); absent on older profiles.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}
