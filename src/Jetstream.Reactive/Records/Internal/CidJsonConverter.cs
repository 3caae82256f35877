using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>A <see cref="Cid"/> as a JSON string (the form strong references use; blob links are read by <see cref="BlobRefJsonConverter"/>).</summary>
internal sealed class CidJsonConverter : JsonConverter<Cid>
{
    public override Cid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? ReadString(ref reader)
            : throw new JsonException($"Expected a CID string, found {reader.TokenType}.");

    public override void Write(Utf8JsonWriter writer, Cid value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }

    internal static Cid ReadString(ref Utf8JsonReader reader) =>
        Cid.TryParse(reader.GetString(), out var cid) ? cid : throw new JsonException("The string is not a valid CID.");
}
