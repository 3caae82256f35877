using System.Text.Json.Serialization;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>One rule of <see cref="PostgateRecord.EmbeddingRules"/>, chosen by its <c>$type</c>: <see cref="DisableRule"/>, or <see cref="UnknownPostgateRule"/> (kept as raw JSON).</summary>
[JsonConverter(typeof(PostgateRuleJsonConverter))]
public abstract record PostgateRule
{
    private protected PostgateRule(string type) => Type = type;

    /// <summary>The rule's <c>$type</c>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; }
}
