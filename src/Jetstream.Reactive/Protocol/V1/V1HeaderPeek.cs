using System.Text.Json;
using System.Text.Unicode;

namespace Jetstream.Reactive.Protocol;

/// <summary>
/// Reads only what the resume position needs from a v1 frame (<c>kind</c>, <c>time_us</c>, <c>cursor</c>), allocating
/// nothing: for an event the full buffer is going to drop (#16: drop before decode). It accepts a frame only when the
/// top level is what the full decoder requires (an object with a plain string <c>did</c>, an integer <c>time_us</c>, a
/// known <c>kind</c> and that kind's object, and no other kind's); anything else is left to the full decoder, which
/// reports it. The body itself is skipped, not checked: a frame whose only fault is inside it counts as dropped.
/// </summary>
internal static class V1HeaderPeek
{
    public static bool TryRead(ReadOnlySpan<byte> utf8, out JetstreamEventKind kind, out long timeUs, out long? serverCursor)
    {
        kind = default;
        timeUs = 0;
        serverCursor = null;
        if (utf8.IsEmpty || !Utf8.IsValid(utf8))
        {
            return false;
        }

        try
        {
            return Read(utf8, ref kind, ref timeUs, ref serverCursor);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Read(ReadOnlySpan<byte> utf8, ref JetstreamEventKind kind, ref long timeUs, ref long? serverCursor)
    {
        var reader = new Utf8JsonReader(utf8, JetstreamEventDecoder.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool hasDid = false, hasTime = false, hasKind = false, hasCommit = false, hasIdentity = false, hasAccount = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("did"u8))
            {
                reader.Read();

                // An escaped DID (never seen from a real server) may not even be a valid string: the decoder judges it.
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                {
                    return false;
                }

                hasDid = true;
            }
            else if (reader.ValueTextEquals("time_us"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out timeUs))
                {
                    return false;
                }

                hasTime = true;
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                if (reader.ValueTextEquals("commit"u8))
                {
                    kind = JetstreamEventKind.Commit;
                }
                else if (reader.ValueTextEquals("identity"u8))
                {
                    kind = JetstreamEventKind.Identity;
                }
                else if (reader.ValueTextEquals("account"u8))
                {
                    kind = JetstreamEventKind.Account;
                }
                else
                {
                    return false;
                }

                hasKind = true;
            }
            else if (reader.ValueTextEquals("cursor"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var c))
                {
                    return false;
                }

                serverCursor = c > 0 ? c : null;
            }
            else if (reader.ValueTextEquals("commit"u8))
            {
                hasCommit = SkipObject(ref reader) ?? hasCommit;
            }
            else if (reader.ValueTextEquals("identity"u8))
            {
                hasIdentity = SkipObject(ref reader) ?? hasIdentity;
            }
            else if (reader.ValueTextEquals("account"u8))
            {
                hasAccount = SkipObject(ref reader) ?? hasAccount;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // The same end as the decoder's: the object closes and nothing but whitespace follows.
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return false;
        }

        // Exactly the kind's own body: a frame that also carries another kind's (never seen from a real server) is left to
        // the decoder, which reads and judges every body.
        return hasDid && hasTime && hasKind && kind switch
        {
            JetstreamEventKind.Commit => hasCommit && !hasIdentity && !hasAccount,
            JetstreamEventKind.Identity => hasIdentity && !hasCommit && !hasAccount,
            _ => hasAccount && !hasCommit && !hasIdentity,
        };
    }

    /// <summary>Skips an object value: true for an object, null (unchanged) for JSON null; anything else is not a frame we peek.</summary>
    private static bool? SkipObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            reader.Skip();
            return true;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        throw new JsonException("not an object");
    }
}
