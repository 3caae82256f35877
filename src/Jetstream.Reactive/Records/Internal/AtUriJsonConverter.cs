using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>An <see cref="AtUri"/> as a JSON string.</summary>
internal sealed class AtUriJsonConverter : JsonConverter<AtUri>
{
    public override AtUri Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected an at:// URI string, found {reader.TokenType}.");
        }

        return AtUri.TryParse(reader.GetString(), out var uri)
            ? uri
            : throw new JsonException("The string is not a valid at:// URI.");
    }

    public override void Write(Utf8JsonWriter writer, AtUri value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}
