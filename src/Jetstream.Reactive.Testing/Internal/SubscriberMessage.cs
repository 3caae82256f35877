using System.Text.Json;

namespace Jetstream.Reactive.Testing.Internal;

/// <summary>A v1 subscriber-sourced message: <c>{"type": …, "payload": {…}}</c>.</summary>
internal sealed class SubscriberMessage
{
    public string Type { get; private init; } = string.Empty;

    public IReadOnlyList<string> Collections { get; private init; } = [];

    public IReadOnlyList<string> Dids { get; private init; } = [];

    public int? MaxMessageSize { get; private init; }

    /// <summary>Why the payload does not fit <c>options_update</c>, or <see langword="null"/>.</summary>
    public string? PayloadError { get; private init; }

    /// <exception cref="JsonException">The envelope is not a JSON object with a string <c>type</c>.</exception>
    public static SubscriberMessage Parse(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new JsonException("the envelope must be an object with a string 'type'");
        }

        if (type.GetString() != "options_update")
        {
            return new SubscriberMessage { Type = type.GetString()! };
        }

        if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
        {
            return new SubscriberMessage { Type = "options_update", PayloadError = "payload must be an object" };
        }

        try
        {
            int? max = null;
            if (payload.TryGetProperty("maxMessageSizeBytes", out var m) && m.ValueKind != JsonValueKind.Null)
            {
                max = m.ValueKind == JsonValueKind.Number && m.TryGetInt32(out var v) ? Math.Max(0, v) : throw new InvalidOperationException("maxMessageSizeBytes must be an integer");
            }

            return new SubscriberMessage
            {
                Type = "options_update",
                Collections = Strings(payload, "wantedCollections"),
                Dids = Strings(payload, "wantedDids"),
                MaxMessageSize = max,
            };
        }
        catch (InvalidOperationException e)
        {
            return new SubscriberMessage { Type = "options_update", PayloadError = e.Message };
        }
    }

    private static List<string> Strings(JsonElement payload, string name)
    {
        if (!payload.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOperationException($"{name} must be an array of strings");
        }

        return array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new InvalidOperationException($"{name} must be an array of strings")).ToList();
    }
}
