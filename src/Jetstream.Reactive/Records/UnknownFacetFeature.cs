using System.Text.Json;

namespace Jetstream.Reactive.Records;

/// <summary>A facet feature of a type this library does not model, kept as the JSON it came in.</summary>
public sealed record UnknownFacetFeature : FacetFeature
{
    /// <summary>Creates an unknown feature.</summary>
    /// <param name="type">Its <c>$type</c>; empty when it had none.</param>
    /// <param name="json">The whole feature object.</param>
    public UnknownFacetFeature(string type, JsonElement json)
        : base(type ?? string.Empty) => Json = json;

    /// <summary>The whole feature object, <c>$type</c> included.</summary>
    public JsonElement Json { get; }
}
