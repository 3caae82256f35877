using System.Buffers;
using System.Formats.Cbor;
using System.Text.Json;

namespace Jetstream.Reactive.Archive;

/// <summary>
/// DAG-CBOR to the atproto JSON data model: maps with text keys to objects, byte strings to
/// <c>{"$bytes": base64 without padding}</c>, tag 42 links to <c>{"$link": CID}</c>. Floats, other tags, undefined and
/// non-text keys are not in the data model and reject the record. Keys keep their stored (DAG-CBOR canonical) order:
/// records are compared by meaning, not by bytes.
/// </summary>
internal static class DagCborJson
{
    /// <summary>The deepest nesting converted; records nest a few levels, so this only stops hostile input.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true, MaxDepth = MaxDepth + 2 };

    /// <summary>Writes the JSON form of one DAG-CBOR value; throws <see cref="JssFormatException"/> on anything outside the data model.</summary>
    public static void Convert(ReadOnlyMemory<byte> cbor, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        try
        {
            var reader = new CborReader(cbor, CborConformanceMode.Lax);
            WriteValue(reader, writer, 0);
            if (reader.BytesRemaining != 0)
            {
                throw new JssFormatException($"DAG-CBOR value is followed by {reader.BytesRemaining} extra bytes.");
            }
        }
        catch (CborContentException e)
        {
            throw new JssFormatException("Malformed DAG-CBOR: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // CborReader reports a truncated or mistyped item this way.
            throw new JssFormatException("Malformed DAG-CBOR: " + e.Message, e);
        }

        writer.Flush();
    }

    /// <summary>Converts to a fresh array (the event keeps it).</summary>
    public static byte[] ToJson(ReadOnlyMemory<byte> cbor, ArrayBufferWriter<byte> scratch)
    {
        scratch.ResetWrittenCount();
        Convert(cbor, scratch);
        return scratch.WrittenSpan.ToArray();
    }

    private static void WriteValue(CborReader reader, Utf8JsonWriter writer, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new JssFormatException($"DAG-CBOR nests deeper than {MaxDepth} levels.");
        }

        switch (reader.PeekState())
        {
            case CborReaderState.StartMap:
            {
                reader.ReadStartMap();
                writer.WriteStartObject();
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    if (reader.PeekState() != CborReaderState.TextString)
                    {
                        throw new JssFormatException("DAG-CBOR map key is not a text string.");
                    }

                    writer.WritePropertyName(reader.ReadTextString());
                    WriteValue(reader, writer, depth + 1);
                }

                reader.ReadEndMap();
                writer.WriteEndObject();
                break;
            }

            case CborReaderState.StartArray:
                reader.ReadStartArray();
                writer.WriteStartArray();
                while (reader.PeekState() != CborReaderState.EndArray)
                {
                    WriteValue(reader, writer, depth + 1);
                }

                reader.ReadEndArray();
                writer.WriteEndArray();
                break;
            case CborReaderState.TextString:
                writer.WriteStringValue(reader.ReadTextString());
                break;
            case CborReaderState.UnsignedInteger:
                writer.WriteNumberValue(reader.ReadUInt64());
                break;
            case CborReaderState.NegativeInteger:
            {
                // -1 - n for n up to 2^64-1: anything beyond long is outside the data model's 64-bit integers.
                var n = reader.ReadCborNegativeIntegerRepresentation();
                if (n > long.MaxValue)
                {
                    throw new JssFormatException("DAG-CBOR integer is below the 64-bit range.");
                }

                writer.WriteNumberValue(-1 - (long)n);
                break;
            }

            case CborReaderState.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case CborReaderState.Null:
                reader.ReadNull();
                writer.WriteNullValue();
                break;
            case CborReaderState.ByteString:
            {
                var bytes = reader.ReadByteString();
                writer.WriteStartObject();
                writer.WriteString("$bytes"u8, System.Convert.ToBase64String(bytes).TrimEnd('='));
                writer.WriteEndObject();
                break;
            }

            case CborReaderState.Tag:
            {
                var tag = reader.ReadTag();
                if ((ulong)tag != 42 || reader.PeekState() != CborReaderState.ByteString)
                {
                    throw new JssFormatException($"DAG-CBOR tag {(ulong)tag} is not a CID link.");
                }

                var link = reader.ReadByteString();
                if (link.Length < 2 || link[0] != 0)
                {
                    throw new JssFormatException("DAG-CBOR CID link lacks its 0x00 multibase prefix.");
                }

                writer.WriteStartObject();
                writer.WriteString("$link"u8, Cid.FromBinary(link.AsSpan(1)));
                writer.WriteEndObject();
                break;
            }

            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                throw new JssFormatException("DAG-CBOR float: floats are not in the atproto data model.");
            default:
                throw new JssFormatException($"DAG-CBOR item {reader.PeekState()} is not in the atproto data model.");
        }
    }
}
