using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jetstream.Reactive;

namespace Jetstream.Cli.Output;

/// <summary>
/// Writes an event as one line of v1-shaped JSON (<c>did</c>, <c>time_us</c>, <c>cursor</c> when the server sent one,
/// <c>kind</c> and the kind's object), with the commit's record copied byte for byte as the server sent it, unless it
/// holds a line break (valid JSON whitespace), which is left out so that one event stays one line. This is what
/// <c>tail --format json</c> prints and <c>record</c> writes, and what <c>serve</c> (the emulator) reads back.
/// </summary>
internal static class EventJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>The event as UTF-8 JSON, without a line break.</summary>
    public static void Write(JetstreamEvent e, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("did", e.Did);
        writer.WriteNumber("time_us", e.TimeUs);
        if (e.ServerCursor is { } cursor)
        {
            writer.WriteNumber("cursor", cursor);
        }

        switch (e)
        {
            case CommitEvent commit:
                writer.WriteString("kind", "commit");
                writer.WriteStartObject("commit");
                writer.WriteString("rev", commit.Commit.Rev);
                writer.WriteString("operation", Operation(commit.Commit.Operation));
                writer.WriteString("collection", commit.Commit.Collection);
                writer.WriteString("rkey", commit.Commit.RKey);
                if (commit.Commit.HasRecord)
                {
                    writer.WritePropertyName("record");
                    WriteRecord(writer, commit.Commit.RecordJson.Span);
                }

                if (commit.Commit.Cid is { } cid)
                {
                    writer.WriteString("cid", cid);
                }

                writer.WriteEndObject();
                break;
            case IdentityEvent identity:
                writer.WriteString("kind", "identity");
                writer.WriteStartObject("identity");
                writer.WriteString("did", identity.Did);
                if (identity.Handle is { } handle)
                {
                    writer.WriteString("handle", handle);
                }

                writer.WriteNumber("seq", identity.Seq);
                writer.WriteString("time", Time(identity.Time));
                writer.WriteEndObject();
                break;
            case AccountEvent account:
                writer.WriteString("kind", "account");
                writer.WriteStartObject("account");
                writer.WriteBoolean("active", account.Active);
                writer.WriteString("did", account.Did);
                writer.WriteNumber("seq", account.Seq);
                writer.WriteString("time", Time(account.Time));
                if (account.Status is { } status)
                {
                    writer.WriteString("status", status);
                }

                writer.WriteEndObject();
                break;
            case SyncEvent sync:
                writer.WriteString("kind", "sync");
                writer.WriteStartObject("sync");
                writer.WriteString("did", sync.Did);
                writer.WriteString("rev", sync.Rev);
                writer.WriteNumber("seq", sync.Seq);
                writer.WriteString("time", Time(sync.Time));
                writer.WriteBase64String("blocks", sync.Blocks.Span);
                writer.WriteEndObject();
                break;
            default:
                writer.WriteString("kind", e.Kind.ToString().ToLowerInvariant());
                break;
        }

        writer.WriteEndObject();
    }

    /// <summary>The event as a JSON string (for tests and text output).</summary>
    public static string ToJson(JetstreamEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(e, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The record as sent when it is on one line; otherwise without its line breaks: between tokens they are whitespace
    /// and are dropped, inside a string (not valid JSON, but never trusted to be absent) they become <c>\n</c> and <c>\r</c>.
    /// </summary>
    private static void WriteRecord(Utf8JsonWriter writer, ReadOnlySpan<byte> record)
    {
        if (record.IndexOfAny((byte)'\n', (byte)'\r') < 0)
        {
            writer.WriteRawValue(record, skipInputValidation: true);
            return;
        }

        var oneLine = new ArrayBufferWriter<byte>(record.Length + 16);
        var inString = false;
        var escaped = false;
        foreach (var b in record)
        {
            if (b is (byte)'\n' or (byte)'\r')
            {
                if (inString)
                {
                    oneLine.Write(b == (byte)'\n' ? "\\n"u8 : "\\r"u8);
                    escaped = false;
                }

                continue;
            }

            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (b == (byte)'\\')
                {
                    escaped = true;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }
            }
            else if (b == (byte)'"')
            {
                inString = true;
            }

            oneLine.Write([b]);
        }

        writer.WriteRawValue(oneLine.WrittenSpan, skipInputValidation: true);
    }

    private static string Operation(CommitOperation operation) => operation switch
    {
        CommitOperation.Create => "create",
        CommitOperation.Update => "update",
        _ => "delete",
    };

    // Milliseconds as the relays write them, more digits only when the time has them.
    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString(time.Ticks % TimeSpan.TicksPerMillisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
