using System.Buffers;
using System.Formats.Cbor;
using System.Globalization;
using Jetstream.Reactive.Internal;

namespace Jetstream.Reactive.Archive;

/// <summary>
/// Turns stored rows into the events the v2 live socket would have produced: commits carry a CID computed from the
/// DAG-CBOR payload and the record converted to JSON; identity, account and sync rows decode their upstream body.
/// One instance per decoding thread (it reuses buffers and a string cache).
/// </summary>
internal sealed class JssEventConverter
{
    private readonly Utf8StringCache _strings = new(4096);
    private readonly ArrayBufferWriter<byte> _json = new(4096);

    public string Did(in JssRow row, ReadOnlySpan<byte> body) => _strings.Get(body.Slice(row.DidStart, row.DidLength));

    public string Collection(in JssRow row, ReadOnlySpan<byte> body) =>
        row.CollectionLength == 0 ? string.Empty : _strings.Get(body.Slice(row.CollectionStart, row.CollectionLength));

    /// <summary>Builds the event; a payload that does not decode throws <see cref="JssFormatException"/> (one bad row).</summary>
    public JetstreamEvent Convert(in JssRow row, ReadOnlyMemory<byte> body, string did, string collection)
    {
        var span = body.Span;
        var seq = checked((long)row.Seq);
        var payload = body.Slice(row.PayloadStart, row.PayloadLength);
        switch (row.Kind)
        {
            case JssRowKind.Create or JssRowKind.Update or JssRowKind.CreateResync or JssRowKind.Delete:
            {
                var rev = System.Text.Encoding.UTF8.GetString(span.Slice(row.RevStart, row.RevLength));
                var rkey = System.Text.Encoding.UTF8.GetString(span.Slice(row.RKeyStart, row.RKeyLength));
                if (row.Kind == JssRowKind.Delete)
                {
                    return new CommitEvent(did, row.TimeUs, new JetstreamCommit(rev, CommitOperation.Delete, collection, rkey, null, default), seq);
                }

                if (payload.IsEmpty)
                {
                    throw new JssFormatException("commit row has no record payload");
                }

                var json = DagCborJson.ToJson(payload, _json);
                var operation = row.Kind == JssRowKind.Update ? CommitOperation.Update : CommitOperation.Create;
                return new CommitEvent(did, row.TimeUs, new JetstreamCommit(rev, operation, collection, rkey, Cid.ForDagCbor(payload.Span), json), seq);
            }

            default:
            {
                var body2 = Marker.Read(payload, row.Kind);
                return row.Kind switch
                {
                    JssRowKind.Identity => new IdentityEvent(did, row.TimeUs, body2.Seq, body2.Time, body2.Handle, seq),
                    JssRowKind.Account => new AccountEvent(did, row.TimeUs, body2.Active ?? throw Missing("active"), body2.Status, body2.Seq, body2.Time, seq),
                    _ => new SyncEvent(
                        did,
                        row.TimeUs,
                        body2.Rev ?? System.Text.Encoding.UTF8.GetString(span.Slice(row.RevStart, row.RevLength)),
                        body2.Seq,
                        body2.Time,
                        body2.Blocks ?? throw Missing("blocks"),
                        seq),
                };
            }
        }
    }

    private static JssFormatException Missing(string field) => new($"marker body lacks '{field}'");

    /// <summary>The upstream <c>#identity</c>, <c>#account</c> or <c>#sync</c> body (its seq and time are the relay's).</summary>
    private readonly record struct Marker(long Seq, DateTimeOffset Time, string? Handle, bool? Active, string? Status, string? Rev, byte[]? Blocks)
    {
        public static Marker Read(ReadOnlyMemory<byte> payload, JssRowKind kind)
        {
            if (payload.IsEmpty)
            {
                throw new JssFormatException($"{kind} row has an empty payload");
            }

            long? seq = null;
            DateTimeOffset? time = null;
            string? handle = null, status = null, rev = null;
            bool? active = null;
            byte[]? blocks = null;
            try
            {
                var reader = new CborReader(payload, CborConformanceMode.Lax);
                reader.ReadStartMap();
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    var key = reader.ReadTextString();
                    var state = reader.PeekState();
                    switch (key)
                    {
                        case "seq" when state == CborReaderState.UnsignedInteger:
                            seq = checked((long)reader.ReadUInt64());
                            break;
                        case "time" when state == CborReaderState.TextString:
                            time = DateTimeOffset.Parse(reader.ReadTextString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                            break;
                        case "handle" when state == CborReaderState.TextString:
                            handle = reader.ReadTextString();
                            break;
                        case "status" when state == CborReaderState.TextString:
                            status = reader.ReadTextString();
                            break;
                        case "rev" when state == CborReaderState.TextString:
                            rev = reader.ReadTextString();
                            break;
                        case "active" when state == CborReaderState.Boolean:
                            active = reader.ReadBoolean();
                            break;
                        case "blocks" when state == CborReaderState.ByteString:
                            blocks = reader.ReadByteString();
                            break;
                        default:
                            // Unknown or null fields: newer lexicon versions add keys.
                            reader.SkipValue();
                            break;
                    }
                }

                reader.ReadEndMap();
            }
            catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException)
            {
                throw new JssFormatException($"{kind} payload is not a DAG-CBOR map: {e.Message}", e);
            }

            return new Marker(seq ?? throw Missing("seq"), time ?? throw Missing("time"), handle, active, status, rev, blocks);
        }
    }
}
