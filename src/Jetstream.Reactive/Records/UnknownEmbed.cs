using System.Text.Json;

namespace Jetstream.Reactive.Records;

/// <summary>An embed of a type this library does not model, kept as the JSON it came in.</summary>
public sealed record UnknownEmbed : Embed
{
    /// <summary>Creates an unknown embed.</summary>
    /// <param name="type">Its <c>$type</c>; empty when it had none.</param>
    /// <param name="json">The whole embed object.</param>
    public UnknownEmbed(string type, JsonElement json)
        : base(type ?? string.Empty) => Json = json;

    /// <summary>The whole embed object, <c>$type</c> included.</summary>
    public JsonElement Json { get; }
}
