using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>
/// Reads an open atproto union: finds <c>$type</c> wherever it is in the object (atproto does not promise it comes
/// first), deserializes known members with their own metadata from the caller's options (so no reflection), and keeps
/// any other member whole as a <see cref="JsonElement"/>.
/// </summary>
/// <typeparam name="TBase">The union's base type.</typeparam>
internal abstract class UnionJsonConverter<TBase> : JsonConverter<TBase>
    where TBase : class
{
    private static readonly byte[] TypeProperty = "$type"u8.ToArray();

    public override TBase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a JSON object for {typeof(TBase).Name}, found {reader.TokenType}.");
        }

        var type = PeekType(reader);
        if (type is not null && KnownMember(type) is { } member)
        {
            return JsonSerializer.Deserialize(ref reader, options.GetTypeInfo(member)) as TBase
                ?? throw new JsonException($"The {type} member of {typeof(TBase).Name} deserialized to nothing.");
        }

        return CreateUnknown(type ?? string.Empty, JsonElement.ParseValue(ref reader));
    }

    public override void Write(Utf8JsonWriter writer, TBase value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (TryGetRaw(value, out var json))
        {
            json.WriteTo(writer);
            return;
        }

        // The member types carry no converter attribute of their own, so this does not come back here.
        JsonSerializer.Serialize(writer, value, options.GetTypeInfo(value.GetType()));
    }

    /// <summary>The member type for a <c>$type</c>, or <see langword="null"/> when it is not modelled.</summary>
    protected abstract Type? KnownMember(string type);

    protected abstract TBase CreateUnknown(string type, JsonElement json);

    protected abstract bool TryGetRaw(TBase value, out JsonElement json);

    // Scans a copy of the reader, so the original still stands on the object's start. The serializer hands custom
    // converters a fully buffered value, so Skip cannot run out of data.
    private static string? PeekType(Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            var isType = reader.ValueTextEquals(TypeProperty);
            reader.Read();
            if (isType)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        return null;
    }
}
