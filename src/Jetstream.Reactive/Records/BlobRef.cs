using System.Text.Json.Serialization;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>
/// A reference to a blob (an image, a video, a caption file) stored in the author's repository. Reads both forms:
/// the current <c>{"$type":"blob","ref":{"$link":"bafkrei…"},"mimeType":"image/jpeg","size":123}</c> and the legacy
/// <c>{"cid":"bafkrei…","mimeType":"image/jpeg"}</c>, which has no size. Writes the form it was read in.
/// </summary>
[JsonConverter(typeof(BlobRefJsonConverter))]
public sealed record BlobRef
{
    /// <summary>The blob's CID (<c>ref.$link</c>, or <c>cid</c> in the legacy form).</summary>
    public required Cid Ref { get; init; }

    /// <summary>The MIME type the author declared (<c>mimeType</c>), such as <c>image/jpeg</c>.</summary>
    public required string MimeType { get; init; }

    /// <summary>The size in bytes (<c>size</c>); <see langword="null"/> in the legacy form.</summary>
    public long? Size { get; init; }

    /// <summary>Whether the blob was written in the legacy <c>{"cid","mimeType"}</c> form.</summary>
    public bool IsLegacy { get; init; }
}
