using System.Formats.Cbor;
using System.Text.Json;

namespace Jetstream.Reactive.Testing.Archive;

/// <summary>
/// atproto JSON to DAG-CBOR, the inverse of the client's conversion: objects to maps with canonically sorted keys,
/// <c>{"$link": CID}</c> to tag 42, <c>{"$bytes": base64}</c> to byte strings, integers only. The bytes are what a PDS
/// stores, so the CID the client computes from them equals the one the live socket sent.
/// </summary>
internal static class DagCborEncoder
{
    public static byte[] Encode(JsonElement value)
    {
        var writer = new CborWriter(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: true);
        Write(writer, value);
        return writer.Encode();
    }

    private static void Write(CborWriter w, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (TrySingle(value, "$link", out var link))
                {
                    w.WriteTag((CborTag)42);
                    w.WriteByteString([0, .. CidText.Decode(link)]);
                    return;
                }

                if (TrySingle(value, "$bytes", out var bytes))
                {
                    var padded = bytes + new string('=', (4 - (bytes.Length % 4)) % 4);
                    w.WriteByteString(Convert.FromBase64String(padded));
                    return;
                }

                w.WriteStartMap(null);
                foreach (var property in value.EnumerateObject())
                {
                    w.WriteTextString(property.Name);
                    Write(w, property.Value);
                }

                w.WriteEndMap();
                return;
            case JsonValueKind.Array:
                w.WriteStartArray(null);
                foreach (var item in value.EnumerateArray())
                {
                    Write(w, item);
                }

                w.WriteEndArray();
                return;
            case JsonValueKind.String:
                w.WriteTextString(value.GetString()!);
                return;
            case JsonValueKind.Number:
                if (!value.TryGetInt64(out var integer))
                {
                    throw new FormatException($"'{value.GetRawText()}' is not an integer; the atproto data model has no floats.");
                }

                w.WriteInt64(integer);
                return;
            case JsonValueKind.True:
            case JsonValueKind.False:
                w.WriteBoolean(value.GetBoolean());
                return;
            case JsonValueKind.Null:
                w.WriteNull();
                return;
            default:
                throw new FormatException($"JSON {value.ValueKind} has no DAG-CBOR form.");
        }
    }

    private static bool TrySingle(JsonElement obj, string name, out string text)
    {
        text = string.Empty;
        using var properties = obj.EnumerateObject();
        if (!properties.MoveNext() || properties.Current.Name != name || properties.Current.Value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        text = properties.Current.Value.GetString()!;
        return !properties.MoveNext();
    }
}
