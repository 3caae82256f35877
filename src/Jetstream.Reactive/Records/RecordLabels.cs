using System.Text.Json.Serialization;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>
/// The labels an author put on their own record (<c>labels</c>), chosen by <c>$type</c>: <see cref="SelfLabels"/>,
/// or <see cref="UnknownLabels"/> (kept as raw JSON) for any other type.
/// </summary>
[JsonConverter(typeof(RecordLabelsJsonConverter))]
public abstract record RecordLabels
{
    private protected RecordLabels(string type) => Type = type;

    /// <summary>The <c>$type</c>, such as <c>com.atproto.label.defs#selfLabels</c>.</summary>
    [JsonPropertyName("$type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; }
}
