using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Jetstream.Reactive.Protocol.V2;

// Why this file is over 300 lines: the v2 envelope and payload decoding, a partial of the public decoder because it
// shares its private field readers (Protocol/V1); the public type keeps its namespace (Jetstream.Reactive).

namespace Jetstream.Reactive;

/// <summary>The v2 (<c>subscribeEvents</c>, <c>xrpc.v1.json</c>) half of the decoder: envelopes and payloads.</summary>
public static partial class JetstreamEventDecoder
{
    // The envelope's two types, as the instances compared by reference once read.
    private const string MessageType = "message";
    private const string ErrorType = "error";

    private static ReadOnlySpan<byte> PayloadTypePrefix => "network.bsky.jetstream.subscribeEvents"u8;

    /// <summary>
    /// Decodes one v2 frame: <c>{"$type":"message","payload":{…}}</c> or <c>{"$type":"error",…}</c>. The payload of a
    /// message is decoded in the same pass when <c>$type</c> comes first, as the server writes it; key order is not part
    /// of the contract, so otherwise the payload's bytes are found first and decoded once the envelope's type is known.
    /// </summary>
    internal static V2Frame DecodeV2(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return V2Frame.Of(JetstreamDecodeResult.Malformed(MalformedFrameReason.Empty));
        }

        if (!Utf8.IsValid(utf8))
        {
            return V2Frame.Of(JetstreamDecodeResult.Malformed(MalformedFrameReason.InvalidUtf8));
        }

        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            return DecodeEnvelope(ref reader, utf8);
        }
        catch (JsonException) when (reader.CurrentDepth >= MaxDepth - 1)
        {
            return V2Frame.Of(JetstreamDecodeResult.Malformed(MalformedFrameReason.TooDeep));
        }
        catch (JsonException)
        {
            return V2Frame.Of(JetstreamDecodeResult.Malformed(MalformedFrameReason.NotJson));
        }
        catch (InvalidOperationException)
        {
            return V2Frame.Of(JetstreamDecodeResult.Malformed(MalformedFrameReason.WrongType));
        }
    }

    private static V2Frame DecodeEnvelope(ref Utf8JsonReader reader, ReadOnlySpan<byte> input)
    {
        if (!reader.Read())
        {
            return V2Frame.Of(JetstreamDecodeResult.Malformed(MalformedFrameReason.NotJson));
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return V2Frame.Of(JetstreamDecodeResult.Malformed(MalformedFrameReason.NotAnObject));
        }

        string? type = null;
        string? error = null;
        string? message = null;
        int payloadStart = -1, payloadEnd = -1;
        V2Frame? payload = null;
        JetstreamDecodeResult? failure = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("$type"u8))
            {
                // The two types every frame carries are compared in place: no string per frame (#16).
                reader.Read();
                type = reader.TokenType != JsonTokenType.String ? null
                    : reader.ValueTextEquals("message"u8) ? MessageType
                    : reader.ValueTextEquals("error"u8) ? ErrorType
                    : reader.GetString();
                if (type is null)
                {
                    reader.Skip();
                    failure ??= WrongType("$type");
                }
            }
            else if (reader.ValueTextEquals("payload"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject && ReferenceEquals(type, MessageType))
                {
                    // The server writes "$type" first: the payload of a message is decoded where it stands, in one
                    // pass (#16); otherwise it is found first and decoded once the type is known.
                    payload = DecodePayload(ref reader, input);
                    payloadStart = -1;
                }
                else if (reader.TokenType == JsonTokenType.StartObject)
                {
                    payload = null;
                    payloadStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    payloadEnd = (int)reader.BytesConsumed;
                }
                else
                {
                    reader.Skip();
                    failure ??= WrongType("payload");
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                var r = ReadString(ref reader, "error", out error, allowNull: true);
                failure ??= r;
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                var r = ReadString(ref reader, "message", out message, allowNull: true);
                failure ??= r;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return V2Frame.Of(JetstreamDecodeResult.Malformed(MalformedFrameReason.NotJson));
        }

        if (failure is { } f)
        {
            return V2Frame.Of(f);
        }

        switch (type)
        {
            case null:
                return V2Frame.Of(Missing("$type"));
            case "message":
                return payloadStart >= 0 ? DecodePayload(input[payloadStart..payloadEnd]) : payload ?? V2Frame.Of(Missing("payload"));
            case "error":
                return error is null ? V2Frame.Of(Missing("error")) : V2Frame.ServerError(Cut(error), message);
            default:
                return V2Frame.Of(JetstreamDecodeResult.Unknown(type));
        }
    }

    private static V2Frame DecodePayload(ReadOnlySpan<byte> input)
    {
        var reader = new Utf8JsonReader(input, ReaderOptions);
        reader.Read();
        return DecodePayload(ref reader, input);
    }

    /// <summary>Decodes the payload object at <paramref name="reader"/>'s start token, leaving the reader on its end.</summary>
    /// <param name="reader">On the payload's <c>{</c>.</param>
    /// <param name="input">The bytes <paramref name="reader"/> reads (positions in the record are relative to them).</param>
    private static V2Frame DecodePayload(ref Utf8JsonReader reader, ReadOnlySpan<byte> input)
    {
        var kind = V2PayloadKind.Unknown;
        var hasType = false;
        string? unknownType = null;
        long seq = 0;
        bool hasSeq = false, hasTime = false, hasIdentity = false, hasAccount = false, hasSync = false;
        string? did = null;
        DateTimeOffset time = default;
        string? name = null;
        string? message = null;
        CommitFields commit = default;
        IdentityFields identity = default;
        AccountFields account = default;
        SyncFields sync = default;
        JetstreamDecodeResult? failure = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("$type"u8))
            {
                reader.Read();
                hasType = reader.TokenType == JsonTokenType.String;
                if (hasType)
                {
                    // A known type is read in place; a string is built only for an unknown (or escaped) one.
                    kind = PayloadKind(reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan);
                    unknownType = kind == V2PayloadKind.Unknown ? reader.GetString() : null;
                }
                else
                {
                    reader.Skip();
                    failure ??= WrongType("payload.$type");
                }
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out seq))
                {
                    hasSeq = true;
                }
                else
                {
                    reader.Skip();
                    failure ??= WrongType("payload.seq");
                }
            }
            else if (reader.ValueTextEquals("did"u8))
            {
                var r = ReadString(ref reader, "payload.did", out did);
                failure ??= r;
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out time))
                {
                    hasTime = true;
                }
                else
                {
                    reader.Skip();
                    failure ??= reader.TokenType == JsonTokenType.String
                        ? JetstreamDecodeResult.Malformed(MalformedFrameReason.InvalidValue, "payload.time")
                        : WrongType("payload.time");
                }
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                var r = ReadString(ref reader, "payload.name", out name);
                failure ??= r;
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                var r = ReadString(ref reader, "payload.message", out message, allowNull: true);
                failure ??= r;
            }
            else if (reader.ValueTextEquals("identity"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var r = ReadRelayFields(ref reader, "identity", out identity.Relay, out identity.Handle);
                    failure ??= r;
                    hasIdentity = true;
                }
                else
                {
                    reader.Skip();
                    failure ??= WrongType("identity");
                }
            }
            else if (reader.ValueTextEquals("account"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var r = ReadAccount(ref reader, out account);
                    failure ??= r;
                    hasAccount = true;
                }
                else
                {
                    reader.Skip();
                    failure ??= WrongType("account");
                }
            }
            else if (reader.ValueTextEquals("sync"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var r = ReadSync(ref reader, out sync);
                    failure ??= r;
                    hasSync = true;
                }
                else
                {
                    reader.Skip();
                    failure ??= WrongType("sync");
                }
            }
            else if (!TryReadCommitField(ref reader, input, "payload.", ref commit, ref failure))
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!hasType)
        {
            return V2Frame.Of(failure ?? Missing("payload.$type"));
        }

        if (kind == V2PayloadKind.Unknown)
        {
            // An unknown type is skipped whatever its fields look like: they may follow rules this client does not know.
            return V2Frame.Of(JetstreamDecodeResult.Unknown(unknownType!));
        }

        if (failure is { } f)
        {
            return V2Frame.Of(f);
        }

        if (kind == V2PayloadKind.Info)
        {
            return name is null ? V2Frame.Of(Missing("payload.name")) : V2Frame.Info(Cut(name), message);
        }

        if (!hasSeq)
        {
            return V2Frame.Of(Missing("payload.seq"));
        }

        if (seq < 1)
        {
            return V2Frame.Of(JetstreamDecodeResult.Malformed(MalformedFrameReason.InvalidValue, "payload.seq"));
        }

        if (did is null)
        {
            return V2Frame.Of(Missing("payload.did"));
        }

        if (!hasTime)
        {
            return V2Frame.Of(Missing("payload.time"));
        }

        var timeUs = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (TimeSpan.TicksPerMillisecond / 1000);
        switch (kind)
        {
            case V2PayloadKind.Commit:
                var built = BuildCommit(in commit, "payload.", out var c);
                return V2Frame.Of(built ?? JetstreamDecodeResult.Decoded(new CommitEvent(did, timeUs, c!, seq)));
            case V2PayloadKind.Identity:
                return V2Frame.Of(!hasIdentity
                    ? Missing("identity")
                    : JetstreamDecodeResult.Decoded(new IdentityEvent(did, timeUs, identity.Relay.Seq, identity.Relay.Time, identity.Handle, seq)));
            case V2PayloadKind.Account:
                return V2Frame.Of(!hasAccount
                    ? Missing("account")
                    : JetstreamDecodeResult.Decoded(new AccountEvent(did, timeUs, account.Active, account.Status, account.Relay.Seq, account.Relay.Time, seq)));
            default:
                return V2Frame.Of(!hasSync
                    ? Missing("sync")
                    : JetstreamDecodeResult.Decoded(new SyncEvent(did, timeUs, sync.Rev ?? string.Empty, sync.Relay.Seq, sync.Relay.Time, sync.Blocks, seq)));
        }
    }

    private static V2PayloadKind PayloadKind(ReadOnlySpan<byte> type)
    {
        // The lexicon's full reference; a bare fragment is accepted too, as lexicons write local references that way.
        var hash = type.IndexOf((byte)'#');
        if (hash < 0 || (hash > 0 && !type[..hash].SequenceEqual(PayloadTypePrefix)))
        {
            return V2PayloadKind.Unknown;
        }

        var fragment = type[(hash + 1)..];
        return fragment.SequenceEqual("commit"u8) ? V2PayloadKind.Commit
            : fragment.SequenceEqual("identity"u8) ? V2PayloadKind.Identity
            : fragment.SequenceEqual("account"u8) ? V2PayloadKind.Account
            : fragment.SequenceEqual("sync"u8) ? V2PayloadKind.Sync
            : fragment.SequenceEqual("info"u8) ? V2PayloadKind.Info
            : V2PayloadKind.Unknown;
    }

    private static JetstreamDecodeResult? ReadSync(ref Utf8JsonReader reader, out SyncFields sync)
    {
        sync = default;
        JetstreamDecodeResult? failure = null;
        bool hasSeq = false, hasTime = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (TryReadRelayField(ref reader, "sync", ref sync.Relay, ref hasSeq, ref hasTime, ref failure))
            {
                continue;
            }

            if (reader.ValueTextEquals("rev"u8))
            {
                var r = ReadString(ref reader, "sync.rev", out sync.Rev, allowNull: true);
                failure ??= r;
            }
            else if (reader.ValueTextEquals("blocks"u8))
            {
                var r = ReadBytes(ref reader, "sync.blocks", out sync.Blocks);
                failure ??= r;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return failure ?? CheckRelay("sync", hasSeq, hasTime);
    }

    /// <summary>Reads an atproto <c>{"$bytes":"&lt;base64&gt;"}</c> value (standard alphabet, padding optional).</summary>
    private static JetstreamDecodeResult? ReadBytes(ref Utf8JsonReader reader, string field, out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return WrongType(field);
        }

        string? base64 = null;
        JetstreamDecodeResult? failure = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("$bytes"u8))
            {
                var r = ReadString(ref reader, field, out base64);
                failure ??= r;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (failure is not null)
        {
            return failure;
        }

        if (base64 is null)
        {
            return Missing(field + ".$bytes");
        }

        var padded = (base64.Length % 4) switch
        {
            2 => base64 + "==",
            3 => base64 + "=",
            _ => base64,
        };
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.InvalidValue, field);
        }

        bytes = buffer.AsMemory(0, written);
        return null;
    }

    private static string Cut(string value) => value.Length > 64 ? value[..64] : value;

    private enum V2PayloadKind
    {
        Commit,
        Identity,
        Account,
        Sync,
        Info,
        Unknown,
    }

    private struct SyncFields
    {
        public RelayFields Relay;
        public string? Rev;
        public ReadOnlyMemory<byte> Blocks;
    }
}
