using System.Text.Json.Serialization;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>
/// One feature of a <see cref="Facet"/>, chosen by its <c>$type</c>: <see cref="MentionFeature"/>,
/// <see cref="LinkFeature"/>, <see cref="TagFeature"/>, or <see cref="UnknownFacetFeature"/> (kept as raw JSON).
/// </summary>
[JsonConverter(typeof(FacetFeatureJsonConverter))]
public abstract record FacetFeature
{
    private protected FacetFeature(string type) => Type = type;

    /// <summary>The feature's <c>$type</c>, such as <c>app.bsky.richtext.facet#tag</c>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; }
}
