using System.Text.Json;

namespace Jetstream.Reactive.Records;

/// <summary>Record labels of a type this library does not model, kept as the JSON they came in.</summary>
public sealed record UnknownLabels : RecordLabels
{
    /// <summary>Creates unknown labels.</summary>
    /// <param name="type">Their <c>$type</c>; empty when they had none.</param>
    /// <param name="json">The whole labels object.</param>
    public UnknownLabels(string type, JsonElement json)
        : base(type ?? string.Empty) => Json = json;

    /// <summary>The whole labels object, <c>$type</c> included.</summary>
    public JsonElement Json { get; }
}
