using System.Text.Json;

namespace Jetstream.Reactive.Records;

/// <summary>A postgate rule of a type this library does not model, kept as the JSON it came in.</summary>
public sealed record UnknownPostgateRule : PostgateRule
{
    /// <summary>Creates an unknown rule.</summary>
    /// <param name="type">Its <c>$type</c>; empty when it had none.</param>
    /// <param name="json">The whole rule object.</param>
    public UnknownPostgateRule(string type, JsonElement json)
        : base(type ?? string.Empty) => Json = json;

    /// <summary>The whole rule object, <c>$type</c> included.</summary>
    public JsonElement Json { get; }
}
