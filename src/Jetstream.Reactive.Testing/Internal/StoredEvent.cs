using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Jetstream.Reactive.Testing.Internal;

/// <summary>
/// One event as the server holds it after ingest: its sequence number, its stamped <c>time_us</c>, what the filters
/// look at, and its wire forms, built once and shared by every connection.
/// </summary>
internal sealed class StoredEvent
{
    private byte[]? _v2;

    public StoredEvent(long seq, long timeUs, string did, string kind, string? collection, byte[] v1, byte[] v1WithCursor)
    {
        Seq = seq;
        TimeUs = timeUs;
        Did = did;
        Kind = kind;
        Collection = collection;
        V1 = v1;
        V1WithCursor = v1WithCursor;
    }

    public long Seq { get; }

    public long TimeUs { get; }

    public string Did { get; }

    /// <summary><c>commit</c>, <c>identity</c>, <c>account</c>, or whatever the source said (unknown kinds pass through).</summary>
    public string Kind { get; }

    /// <summary>The commit's collection; <see langword="null"/> for other kinds.</summary>
    public string? Collection { get; }

    /// <summary>The legacy v1 frame: the event with the stamped <c>time_us</c>.</summary>
    public byte[] V1 { get; }

    /// <summary>The newer server's v1 frame: as <see cref="V1"/> plus the top-level <c>cursor</c> (the seq).</summary>
    public byte[] V1WithCursor { get; }

    /// <summary>The v2 <c>message</c> envelope (built on first use).</summary>
    public byte[] V2 => _v2 ??= BuildV2();

    /// <summary>
    /// Copies the v1 frame's body into the envelope without parsing it into a tree, so records of any depth the stamper
    /// accepted pass, and their bytes stay as the source had them.
    /// </summary>
    private byte[] BuildV2()
    {
        var buffer = new ArrayBufferWriter<byte>(V1.Length + 160);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("$type"u8, "message"u8);
            w.WritePropertyName("payload"u8);
            w.WriteStartObject();
            w.WriteString("$type"u8, "network.bsky.jetstream.subscribeEvents#" + Kind);
            w.WriteNumber("seq"u8, Seq);
            w.WriteString("did"u8, Did);
            w.WriteString("time"u8, DateTimeOffset.UnixEpoch.AddTicks(TimeUs * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            var reader = new Utf8JsonReader(V1, EventStamper.ReaderOptions);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isBody = reader.ValueTextEquals(Kind);
                reader.Read();
                if (!isBody)
                {
                    reader.Skip();
                }
                else if (Kind == "commit" && reader.TokenType == JsonTokenType.StartObject)
                {
                    // The commit's fields go straight into the payload.
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var name = reader.GetString()!;
                        reader.Read();
                        CopyValue(ref reader, w, name);
                    }
                }
                else
                {
                    CopyValue(ref reader, w, Kind);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void CopyValue(ref Utf8JsonReader reader, Utf8JsonWriter w, string name)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        w.WritePropertyName(name);
        w.WriteRawValue(V1.AsSpan(start, (int)reader.BytesConsumed - start), skipInputValidation: true);
    }
}
