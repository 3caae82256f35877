using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>
/// atproto datetimes (<c>createdAt</c> and friends). RFC 3339 with an offset is the rule, but clients write what they
/// like: a missing offset is read as UTC (the serializer's default would use the machine's local offset), and forms
/// the strict ISO parser refuses, such as nine fractional digits, get a second, culture-invariant try.
/// Written back in UTC with a <c>Z</c>.
/// </summary>
internal sealed class AtDateTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a datetime string, found {reader.TokenType}.");
        }

        // Records are read from one contiguous span, and datetimes are rarely escaped: look at the bytes in place.
        if (!reader.HasValueSequence && !reader.ValueIsEscaped ? HasOffset(reader.ValueSpan) : HasOffset(reader.GetString()!.AsSpan()))
        {
            if (reader.TryGetDateTimeOffset(out var value))
            {
                return value;
            }
        }
        else if (reader.TryGetDateTime(out var local))
        {
            return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeSpan.Zero);
        }

        var text = reader.GetString()!;

        // Only ISO-looking text gets the lenient parse, so "07/04/2026" never becomes a date by culture rules.
        return text.Length >= 10 && text[4] == '-' && text[7] == '-'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var lenient)
            ? lenient
            : throw new JsonException("The string is not an RFC 3339 datetime.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime);
    }

    // An offset is a trailing Z, or a sign after the time of day (position 19 is just past "yyyy-MM-ddTHH:mm:ss").
    private static bool HasOffset(ReadOnlySpan<byte> text) =>
        text.EndsWith("Z"u8) || text.EndsWith("z"u8) || (text.Length > 19 && text[19..].IndexOfAny((byte)'+', (byte)'-') >= 0);

    private static bool HasOffset(ReadOnlySpan<char> text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 19 && text[19..].IndexOfAny('+', '-') >= 0);
}
