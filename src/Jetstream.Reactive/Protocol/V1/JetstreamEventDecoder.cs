using System.Text.Unicode;
using System.Text.Json;
using Jetstream.Reactive.Internal;

// Why this file is over 300 lines: the public v1 decoder: one Utf8JsonReader pass with its private field readers,
// shared with the v2 partial (Protocol/V2). The public type keeps its namespace (Jetstream.Reactive) though it lives
// in this folder; moving the readers out as internal Protocol types is the next step.

namespace Jetstream.Reactive;

/// <summary>
/// Decodes one v1 Jetstream frame (a bare JSON event) with <see cref="Utf8JsonReader"/>: no reflection, the record
/// kept as raw UTF-8. Unknown fields are skipped; unknown kinds and malformed frames are reported, never thrown.
/// </summary>
public static partial class JetstreamEventDecoder
{
    /// <summary>
    /// The deepest JSON nesting accepted in a frame (the event's own two levels included). Deeper frames are
    /// <see cref="MalformedFrameReason.TooDeep"/>: real records nest fewer than 20 levels, and a hostile one can nest
    /// tens of thousands (legacy Jetstream issue #24).
    /// </summary>
    public const int MaxDepth = 512;

    internal static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    // Collections repeat a lot and are few; the cache is bounded, so hostile names cannot grow it.
    private static readonly Utf8StringCache Collections = new(512);

    /// <summary>Decodes one frame's UTF-8 bytes.</summary>
    /// <param name="utf8">The whole message, exactly as received.</param>
    /// <returns>The event, or why it was skipped.</returns>
    public static JetstreamDecodeResult Decode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.Empty);
        }

        // Vectorised and far cheaper than the parse; the reader itself only checks UTF-8 in strings it transcodes.
        if (!Utf8.IsValid(utf8))
        {
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.InvalidUtf8);
        }

        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            return DecodeEvent(ref reader, utf8);
        }
        catch (JsonException) when (reader.CurrentDepth >= MaxDepth - 1)
        {
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.TooDeep);
        }
        catch (JsonException)
        {
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.NotJson);
        }
        catch (InvalidOperationException)
        {
            // A token of the wrong type for the getter used (GetInt64 on a string, for example) is screened before
            // every getter; this is the backstop, so that nothing the network sends can throw out of the decoder.
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.WrongType);
        }
    }

    private static JetstreamDecodeResult DecodeEvent(ref Utf8JsonReader reader, ReadOnlySpan<byte> input)
    {
        if (!reader.Read())
        {
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.NotJson);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // Reading the rest tells a bare scalar or array (not an object) from garbage (not JSON).
            reader.Skip();
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.NotAnObject);
        }

        string? did = null;
        long timeUs = 0;
        var hasTime = false;
        long? serverCursor = null;
        string? kind = null;
        var kindValue = KindValue.None;
        JetstreamCommit? commit = null;
        JetstreamDecodeResult? nestedFailure = null;
        IdentityFields identity = default;
        AccountFields account = default;
        var hasIdentity = false;
        var hasAccount = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("did"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return WrongType("did");
                }

                did = reader.GetString();
            }
            else if (reader.ValueTextEquals("time_us"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out timeUs))
                {
                    return WrongType("time_us");
                }

                hasTime = true;
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return WrongType("kind");
                }

                kindValue = reader.ValueTextEquals("commit"u8) ? KindValue.Commit
                    : reader.ValueTextEquals("identity"u8) ? KindValue.Identity
                    : reader.ValueTextEquals("account"u8) ? KindValue.Account
                    : KindValue.Unknown;
                kind = kindValue == KindValue.Unknown ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("cursor"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var c))
                {
                    return WrongType("cursor");
                }

                serverCursor = c > 0 ? c : null;
            }
            else if (reader.ValueTextEquals("commit"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var r = ReadCommit(ref reader, input, out commit);
                    nestedFailure ??= r;
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    return WrongType("commit");
                }
            }
            else if (reader.ValueTextEquals("identity"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var r = ReadRelayFields(ref reader, "identity", out identity.Relay, out identity.Handle);
                    nestedFailure ??= r;
                    hasIdentity = true;
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    return WrongType("identity");
                }
            }
            else if (reader.ValueTextEquals("account"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var r = ReadAccount(ref reader, out account);
                    nestedFailure ??= r;
                    hasAccount = true;
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    return WrongType("account");
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.NotJson);
        }

        // Anything but whitespace after the event makes the frame not one JSON value; the reader throws on it.
        if (reader.Read())
        {
            return JetstreamDecodeResult.Malformed(MalformedFrameReason.NotJson);
        }

        if (did is null)
        {
            return Missing("did");
        }

        if (!hasTime)
        {
            return Missing("time_us");
        }

        switch (kindValue)
        {
            case KindValue.None:
                return Missing("kind");
            case KindValue.Unknown:
                return JetstreamDecodeResult.Unknown(kind!);
        }

        if (nestedFailure is { } failure)
        {
            return failure;
        }

        switch (kindValue)
        {
            case KindValue.Commit:
                return commit is null ? Missing("commit") : JetstreamDecodeResult.Decoded(new CommitEvent(did, timeUs, commit, serverCursor));
            case KindValue.Identity:
                return !hasIdentity
                    ? Missing("identity")
                    : JetstreamDecodeResult.Decoded(new IdentityEvent(did, timeUs, identity.Relay.Seq, identity.Relay.Time, identity.Handle, serverCursor));
            default:
                return !hasAccount
                    ? Missing("account")
                    : JetstreamDecodeResult.Decoded(new AccountEvent(did, timeUs, account.Active, account.Status, account.Relay.Seq, account.Relay.Time, serverCursor));
        }
    }

    // Every field is read (or skipped) even after an earlier one failed, so the reader stays on the structure and the
    // first fault is the one reported: never `failure ??= Read…(ref reader)`, which would skip the read.
    private static JetstreamDecodeResult? ReadCommit(ref Utf8JsonReader reader, ReadOnlySpan<byte> input, out JetstreamCommit? commit)
    {
        CommitFields fields = default;
        JetstreamDecodeResult? failure = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!TryReadCommitField(ref reader, input, "commit.", ref fields, ref failure))
            {
                reader.Read();
                reader.Skip();
            }
        }

        commit = null;
        return failure ?? BuildCommit(in fields, "commit.", out commit);
    }

    /// <summary>Reads the value of the current property when it is one of a commit's fields (v1 <c>commit</c>, v2 <c>#commit</c> payload).</summary>
    /// <returns>Whether the property was a commit field (read, or skipped after a fault).</returns>
    private static bool TryReadCommitField(ref Utf8JsonReader reader, ReadOnlySpan<byte> input, string prefix, ref CommitFields fields, ref JetstreamDecodeResult? failure)
    {
        if (reader.ValueTextEquals("rev"u8))
        {
            var r = ReadString(ref reader, prefix, "rev", out fields.Rev);
            failure ??= r;
        }
        else if (reader.ValueTextEquals("operation"u8))
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                failure ??= WrongType(prefix + "operation");
                return true;
            }

            fields.Operation = reader.ValueTextEquals("create"u8) ? CommitOperation.Create
                : reader.ValueTextEquals("update"u8) ? CommitOperation.Update
                : reader.ValueTextEquals("delete"u8) ? CommitOperation.Delete
                : null;
            if (fields.Operation is null)
            {
                failure ??= JetstreamDecodeResult.Malformed(MalformedFrameReason.InvalidValue, prefix + "operation");
            }
        }
        else if (reader.ValueTextEquals("collection"u8))
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                failure ??= WrongType(prefix + "collection");
                return true;
            }

            fields.Collection = reader.ValueIsEscaped ? reader.GetString() : Collections.Get(reader.ValueSpan);
        }
        else if (reader.ValueTextEquals("rkey"u8))
        {
            var r = ReadString(ref reader, prefix, "rkey", out fields.RKey);
            failure ??= r;
        }
        else if (reader.ValueTextEquals("cid"u8))
        {
            var r = ReadString(ref reader, prefix, "cid", out fields.Cid, allowNull: true);
            failure ??= r;
        }
        else if (reader.ValueTextEquals("record"u8))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                // The record is copied out of the (pooled, reused) message buffer once, as raw UTF-8.
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                fields.Record = input[start..end].ToArray();
            }
            else if (reader.TokenType != JsonTokenType.Null)
            {
                reader.Skip();
                failure ??= WrongType(prefix + "record");
            }
        }
        else
        {
            return false;
        }

        return true;
    }

    private static JetstreamDecodeResult? BuildCommit(in CommitFields fields, string prefix, out JetstreamCommit? commit)
    {
        commit = null;
        if (fields.Operation is not { } op)
        {
            return Missing(prefix + "operation");
        }

        if (fields.Collection is null)
        {
            return Missing(prefix + "collection");
        }

        if (fields.RKey is null)
        {
            return Missing(prefix + "rkey");
        }

        if (op != CommitOperation.Delete)
        {
            // A create or update without its record or CID says nothing usable about the record.
            if (fields.Record.IsEmpty)
            {
                return Missing(prefix + "record");
            }

            if (fields.Cid is null)
            {
                return Missing(prefix + "cid");
            }
        }

        commit = new JetstreamCommit(fields.Rev ?? string.Empty, op, fields.Collection, fields.RKey, fields.Cid, fields.Record);
        return null;
    }

    private static JetstreamDecodeResult? ReadRelayFields(ref Utf8JsonReader reader, string prefix, out RelayFields relay, out string? handle)
    {
        relay = default;
        handle = null;
        JetstreamDecodeResult? failure = null;
        bool hasSeq = false, hasTime = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (TryReadRelayField(ref reader, prefix, ref relay, ref hasSeq, ref hasTime, ref failure))
            {
                continue;
            }

            if (reader.ValueTextEquals("handle"u8))
            {
                var r = ReadString(ref reader, prefix, ".handle", out handle, allowNull: true);
                failure ??= r;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return failure ?? CheckRelay(prefix, hasSeq, hasTime);
    }

    private static JetstreamDecodeResult? ReadAccount(ref Utf8JsonReader reader, out AccountFields account)
    {
        account = default;
        JetstreamDecodeResult? failure = null;
        bool hasSeq = false, hasTime = false, hasActive = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (TryReadRelayField(ref reader, "account", ref account.Relay, ref hasSeq, ref hasTime, ref failure))
            {
                continue;
            }

            if (reader.ValueTextEquals("active"u8))
            {
                reader.Read();
                if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                {
                    account.Active = reader.GetBoolean();
                    hasActive = true;
                }
                else
                {
                    reader.Skip();
                    failure ??= WrongType("account.active");
                }
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                var r = ReadString(ref reader, "account.status", out account.Status, allowNull: true);
                failure ??= r;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return failure ?? (hasActive ? CheckRelay("account", hasSeq, hasTime) : Missing("account.active"));
    }

    private static bool TryReadRelayField(ref Utf8JsonReader reader, string prefix, ref RelayFields relay, ref bool hasSeq, ref bool hasTime, ref JetstreamDecodeResult? failure)
    {
        if (reader.ValueTextEquals("seq"u8))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out relay.Seq))
            {
                hasSeq = true;
            }
            else
            {
                reader.Skip();
                failure ??= WrongType(prefix + ".seq");
            }

            return true;
        }

        if (reader.ValueTextEquals("time"u8))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out relay.Time))
            {
                hasTime = true;
            }
            else
            {
                reader.Skip();
                failure ??= reader.TokenType == JsonTokenType.String
                    ? JetstreamDecodeResult.Malformed(MalformedFrameReason.InvalidValue, prefix + ".time")
                    : WrongType(prefix + ".time");
            }

            return true;
        }

        return false;
    }

    private static JetstreamDecodeResult? CheckRelay(string prefix, bool hasSeq, bool hasTime) =>
        !hasSeq ? Missing(prefix + ".seq") : !hasTime ? Missing(prefix + ".time") : null;

    private static JetstreamDecodeResult? ReadString(ref Utf8JsonReader reader, string field, out string? value, bool allowNull = false) =>
        ReadString(ref reader, field, string.Empty, out value, allowNull);

    /// <summary>Reads a string field; the field's name (<paramref name="prefix"/> + <paramref name="name"/>) is built only for a fault, off the hot path.</summary>
    private static JetstreamDecodeResult? ReadString(ref Utf8JsonReader reader, string prefix, string name, out string? value, bool allowNull = false)
    {
        reader.Read();
        value = null;
        if (reader.TokenType == JsonTokenType.String)
        {
            value = reader.GetString();
            return null;
        }

        if (allowNull && reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        reader.Skip();
        return WrongType(prefix + name);
    }

    private static JetstreamDecodeResult WrongType(string field) => JetstreamDecodeResult.Malformed(MalformedFrameReason.WrongType, field);

    private static JetstreamDecodeResult Missing(string field) => JetstreamDecodeResult.Malformed(MalformedFrameReason.MissingField, field);

    private enum KindValue
    {
        None,
        Commit,
        Identity,
        Account,
        Unknown,
    }

    private struct CommitFields
    {
        public string? Rev;
        public CommitOperation? Operation;
        public string? Collection;
        public string? RKey;
        public string? Cid;
        public ReadOnlyMemory<byte> Record;
    }

    private struct RelayFields
    {
        public long Seq;
        public DateTimeOffset Time;
    }

    private struct IdentityFields
    {
        public RelayFields Relay;
        public string? Handle;
    }

    private struct AccountFields
    {
        public RelayFields Relay;
        public bool Active;
        public string? Status;
    }
}
