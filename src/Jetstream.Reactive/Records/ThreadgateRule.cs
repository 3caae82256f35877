using System.Text.Json.Serialization;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>One rule of <see cref="ThreadgateRecord.Allow"/>, chosen by its <c>$type</c>: <see cref="MentionRule"/>, <see cref="FollowerRule"/>, <see cref="FollowingRule"/>, <see cref="ListRule"/>, or <see cref="UnknownThreadgateRule"/> (kept as raw JSON).</summary>
[JsonConverter(typeof(ThreadgateRuleJsonConverter))]
public abstract record ThreadgateRule
{
    private protected ThreadgateRule(string type) => Type = type;

    /// <summary>The rule's <c>$type</c>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; }
}
