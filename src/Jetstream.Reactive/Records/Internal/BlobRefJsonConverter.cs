using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>
/// Reads both blob forms: <c>{"$type":"blob","ref":{"$link":…},"mimeType":…,"size":…}</c> and the legacy
/// <c>{"cid":…,"mimeType":…}</c>. Other properties are skipped.
/// </summary>
internal sealed class BlobRefJsonConverter : JsonConverter<BlobRef>
{
    public override BlobRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a blob object, found {reader.TokenType}.");
        }

        Cid? link = null;
        Cid? legacyCid = null;
        string? mimeType = null;
        long? size = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                throw new JsonException("Malformed blob object.");
            }

            if (reader.ValueTextEquals("ref"u8))
            {
                reader.Read();
                link = ReadLink(ref reader);
            }
            else if (reader.ValueTextEquals("cid"u8))
            {
                reader.Read();
                legacyCid = reader.TokenType == JsonTokenType.String
                    ? CidJsonConverter.ReadString(ref reader)
                    : throw new JsonException("A legacy blob's cid must be a string.");
            }
            else if (reader.ValueTextEquals("mimeType"u8))
            {
                reader.Read();
                mimeType = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException("A blob's mimeType must be a string.");
            }
            else if (reader.ValueTextEquals("size"u8))
            {
                reader.Read();
                size = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) && n >= 0
                    ? n
                    : throw new JsonException("A blob's size must be a non-negative integer.");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (mimeType is null)
        {
            throw new JsonException("A blob needs a mimeType.");
        }

        return link is { } current
            ? new BlobRef { Ref = current, MimeType = mimeType, Size = size }
            : legacyCid is { } legacy
                ? new BlobRef { Ref = legacy, MimeType = mimeType, Size = size, IsLegacy = true }
                : throw new JsonException("A blob needs a ref ({\"$link\":…}) or, in the legacy form, a cid.");
    }

    public override void Write(Utf8JsonWriter writer, BlobRef value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        if (value.IsLegacy)
        {
            writer.WriteString("cid"u8, value.Ref.Value);
            writer.WriteString("mimeType"u8, value.MimeType);
        }
        else
        {
            writer.WriteString("$type"u8, "blob"u8);
            writer.WriteStartObject("ref"u8);
            writer.WriteString("$link"u8, value.Ref.Value);
            writer.WriteEndObject();
            writer.WriteString("mimeType"u8, value.MimeType);
        }

        if (value.Size is { } size)
        {
            writer.WriteNumber("size"u8, size);
        }

        writer.WriteEndObject();
    }

    private static Cid ReadLink(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A blob's ref must be a {\"$link\":…} object.");
        }

        Cid? link = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var isLink = reader.ValueTextEquals("$link"u8);
            reader.Read();
            if (isLink && reader.TokenType == JsonTokenType.String)
            {
                link = CidJsonConverter.ReadString(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return link ?? throw new JsonException("A blob's ref has no $link string.");
    }
}
