using System.Text.Json.Serialization;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>
/// Content embedded in a post, chosen by its <c>$type</c>: <see cref="ImagesEmbed"/>, <see cref="VideoEmbed"/>,
/// <see cref="ExternalEmbed"/>, <see cref="RecordEmbed"/>, <see cref="RecordWithMediaEmbed"/>, or
/// <see cref="UnknownEmbed"/> (kept as raw JSON) for any other type.
/// </summary>
[JsonConverter(typeof(EmbedJsonConverter))]
public abstract record Embed
{
    private protected Embed(string type) => Type = type;

    /// <summary>The embed's <c>$type</c>, such as <c>app.bsky.embed.images</c>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; }
}
