using System.Buffers;
using System.Text.Json;

namespace Jetstream.Reactive.Testing.Internal;

/// <summary>
/// Re-stamps a source event the way a server does at ingest: <c>time_us</c> is replaced (and, for the newer server's
/// frames, a top-level <c>cursor</c> added); every other field is copied as it is. One pass with a reader and a writer.
/// </summary>
internal static class EventStamper
{
    /// <summary>How deep a source event may nest (records included); deeper sources are counted as bad.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 4096 };

    /// <exception cref="FormatException">The source line is not a JSON object with a string <c>did</c> and <c>kind</c>.</exception>
    public static StoredEvent Stamp(ReadOnlySpan<byte> source, long seq, long timeUs)
    {
        string? did = null, kind = null, collection = null;
        var plain = new ArrayBufferWriter<byte>(source.Length + 32);
        var withCursor = new ArrayBufferWriter<byte>(source.Length + 48);
        using (var a = new Utf8JsonWriter(plain))
        using (var b = new Utf8JsonWriter(withCursor))
        {
            var reader = new Utf8JsonReader(source, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("A source event must be a JSON object.");
            }

            a.WriteStartObject();
            b.WriteStartObject();
            var wroteTime = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("time_us"u8))
                {
                    // Written once: in the source's place, or already after "did".
                    reader.Read();
                    reader.Skip();
                    if (!wroteTime)
                    {
                        WriteStamp(a, b, timeUs, seq);
                        wroteTime = true;
                    }

                    continue;
                }

                if (reader.ValueTextEquals("cursor"u8))
                {
                    // The server writes its own.
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                var name = reader.GetString()!;
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                if (name == "did" && reader.TokenType == JsonTokenType.String)
                {
                    did = reader.GetString();
                }
                else if (name == "kind" && reader.TokenType == JsonTokenType.String)
                {
                    kind = reader.GetString();
                }
                else if (name == "commit" && reader.TokenType == JsonTokenType.StartObject)
                {
                    collection = FindCollection(source[start..]);
                }

                reader.Skip();
                var raw = source[start..(int)reader.BytesConsumed];
                a.WritePropertyName(name);
                a.WriteRawValue(raw, skipInputValidation: true);
                b.WritePropertyName(name);
                b.WriteRawValue(raw, skipInputValidation: true);
                if (name == "did" && !wroteTime)
                {
                    // Keep the real servers' key order: did, time_us, kind, …
                    WriteStamp(a, b, timeUs, seq);
                    wroteTime = true;
                }
            }

            if (!wroteTime)
            {
                WriteStamp(a, b, timeUs, seq);
            }

            a.WriteEndObject();
            b.WriteEndObject();
        }

        if (did is null || kind is null)
        {
            throw new FormatException("A source event needs a string 'did' and a string 'kind'.");
        }

        return new StoredEvent(seq, timeUs, did, kind, kind == "commit" ? collection ?? string.Empty : null, plain.WrittenSpan.ToArray(), withCursor.WrittenSpan.ToArray());
    }

    private static void WriteStamp(Utf8JsonWriter plain, Utf8JsonWriter withCursor, long timeUs, long seq)
    {
        plain.WriteNumber("time_us"u8, timeUs);
        withCursor.WriteNumber("time_us"u8, timeUs);
        withCursor.WriteNumber("cursor"u8, seq);
    }

    private static string? FindCollection(ReadOnlySpan<byte> commit)
    {
        var reader = new Utf8JsonReader(commit, ReaderOptions);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCollection = reader.ValueTextEquals("collection"u8);
            reader.Read();
            if (isCollection && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }

            reader.Skip();
        }

        return null;
    }
}
