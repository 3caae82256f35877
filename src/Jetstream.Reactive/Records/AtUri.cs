using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Jetstream.Reactive.Identifiers;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>
/// An <c>at://</c> URI in the atproto "restricted" form: <c>at://AUTHORITY[/COLLECTION[/RKEY]]</c>, where the authority is
/// a DID or a handle, the collection an NSID and the record key 1 to 512 characters of <c>A-Za-z0-9._~:-</c>. Query
/// strings and fragments are not accepted.
/// </summary>
/// <remarks>
/// The URI keeps the string it was parsed from (<see cref="ToString"/> returns it unchanged); the parts are cut from it
/// on first access. Equality is ordinal on that string.
/// </remarks>
[JsonConverter(typeof(AtUriJsonConverter))]
public sealed class AtUri : IEquatable<AtUri>
{
    /// <summary>The scheme prefix, <c>at://</c>.</summary>
    public const string Scheme = "at://";

    /// <summary>The longest URI accepted, in characters (8 KiB, as the atproto spec allows).</summary>
    public const int MaxLength = 8 * 1024;

    private const int MaxRecordKeyLength = 512;
    private const int MaxHandleLength = 253;

    private readonly string _value;
    private readonly int _authorityEnd;
    private readonly int _collectionEnd;
    private string? _authority;
    private string? _collection;
    private string? _rkey;

    private AtUri(string value, int authorityEnd, int collectionEnd)
    {
        _value = value;
        _authorityEnd = authorityEnd;
        _collectionEnd = collectionEnd;
    }

    /// <summary>The DID or handle after <c>at://</c>, such as <c>did:plc:ewvi7nxzyoun6zhxrhs64oiz</c>.</summary>
    public string Authority => _authority ??= _value[Scheme.Length.._authorityEnd];

    /// <summary>Whether <see cref="Authority"/> is a DID (rather than a handle).</summary>
    public bool HasDidAuthority => _value.AsSpan(Scheme.Length).StartsWith("did:", StringComparison.Ordinal);

    /// <summary>The collection NSID, such as <c>app.bsky.feed.post</c>; <see langword="null"/> when the URI names only a repository.</summary>
    public string? Collection =>
        _collectionEnd < 0 ? null : _collection ??= _value[(_authorityEnd + 1).._collectionEnd];

    /// <summary>The record key; <see langword="null"/> when the URI names a repository or a collection.</summary>
    public string? RKey =>
        _collectionEnd < 0 || _collectionEnd == _value.Length ? null : _rkey ??= _value[(_collectionEnd + 1)..];

    /// <summary>Parses an <c>at://</c> URI.</summary>
    /// <param name="value">The URI.</param>
    /// <returns>The parsed URI.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException"><paramref name="value"/> is not a valid <c>at://</c> URI.</exception>
    public static AtUri Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var uri)
            ? uri
            : throw new FormatException("Not a valid at:// URI: expected at://AUTHORITY[/COLLECTION[/RKEY]] with a DID or handle, an NSID and a record key.");
    }

    /// <summary>Parses an <c>at://</c> URI without throwing.</summary>
    /// <param name="value">The URI; <see langword="null"/> fails.</param>
    /// <param name="result">The parsed URI, or <see langword="null"/> when <paramref name="value"/> is not valid.</param>
    /// <returns>Whether <paramref name="value"/> is a valid <c>at://</c> URI.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out AtUri? result)
    {
        result = null;
        if (value is null || value.Length > MaxLength || !value.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = value.AsSpan(Scheme.Length);
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];

        // The DID and NSID checks take strings; the strings they are given become the cached parts, so nothing is wasted.
        string? didAuthority = null;
        if (authority.StartsWith("did:", StringComparison.Ordinal) ? !Did.IsValid(didAuthority = authority.ToString()) : !IsValidHandle(authority))
        {
            return false;
        }

        var authorityEnd = Scheme.Length + authority.Length;
        if (slash < 0)
        {
            result = new AtUri(value, authorityEnd, -1) { _authority = didAuthority };
            return true;
        }

        var path = rest[(slash + 1)..];
        var second = path.IndexOf('/');
        var collection = (second < 0 ? path : path[..second]).ToString();
        if (!Nsid.IsValid(collection) || (second >= 0 && !IsValidRecordKey(path[(second + 1)..])))
        {
            return false;
        }

        result = new AtUri(value, authorityEnd, authorityEnd + 1 + collection.Length) { _authority = didAuthority, _collection = collection };
        return true;
    }

    /// <summary>Builds the URI of a repository, a collection or a record.</summary>
    /// <param name="authority">A DID or handle.</param>
    /// <param name="collection">A collection NSID, or <see langword="null"/> for the repository itself.</param>
    /// <param name="rkey">A record key, or <see langword="null"/>; requires <paramref name="collection"/>.</param>
    /// <returns>The URI.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="authority"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A part is not valid, or <paramref name="rkey"/> is given without a collection.</exception>
    public static AtUri Create(string authority, string? collection = null, string? rkey = null)
    {
        ArgumentNullException.ThrowIfNull(authority);
        if (!IsValidAuthority(authority))
        {
            throw new ArgumentException("The authority must be a DID (did:method:id) or a handle (a domain name).", nameof(authority));
        }

        if (collection is not null && !Nsid.IsValid(collection))
        {
            throw new ArgumentException("The collection must be a full NSID such as 'app.bsky.feed.post'.", nameof(collection));
        }

        if (rkey is not null && (collection is null || !IsValidRecordKey(rkey)))
        {
            throw new ArgumentException(
                collection is null ? "A record key needs a collection." : "A record key is 1 to 512 characters of A-Za-z0-9._~:- and not '.' or '..'.",
                nameof(rkey));
        }

        var value = collection is null ? Scheme + authority : rkey is null ? $"{Scheme}{authority}/{collection}" : $"{Scheme}{authority}/{collection}/{rkey}";
        var authorityEnd = Scheme.Length + authority.Length;
        return new AtUri(value, authorityEnd, collection is null ? -1 : authorityEnd + 1 + collection.Length)
        {
            _authority = authority,
            _collection = collection,
            _rkey = rkey,
        };
    }

    // The URI of a record the server reported: built as sent, unchecked, so that a property getter never throws on odd
    // but delivered data.
    internal static AtUri FromRecord(string did, string collection, string rkey)
    {
        var authorityEnd = Scheme.Length + did.Length;
        return new AtUri($"{Scheme}{did}/{collection}/{rkey}", authorityEnd, authorityEnd + 1 + collection.Length)
        {
            _authority = did,
            _collection = collection,
            _rkey = rkey,
        };
    }

    /// <summary>Compares two URIs (ordinal, on the full string).</summary>
    /// <param name="left">A URI or <see langword="null"/>.</param>
    /// <param name="right">A URI or <see langword="null"/>.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(AtUri? left, AtUri? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two URIs (ordinal, on the full string).</summary>
    /// <param name="left">A URI or <see langword="null"/>.</param>
    /// <param name="right">A URI or <see langword="null"/>.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(AtUri? left, AtUri? right) => !(left == right);

    /// <inheritdoc />
    public bool Equals(AtUri? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AtUri other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The URI as text, exactly as parsed or built.</summary>
    /// <returns>The URI.</returns>
    public override string ToString() => _value;

    private static bool IsValidAuthority(ReadOnlySpan<char> authority)
    {
        if (authority.StartsWith("did:", StringComparison.Ordinal))
        {
            return Did.IsValid(authority.ToString());
        }

        return IsValidHandle(authority);
    }

    // A handle is a domain name: at least two labels of letters, digits and hyphens, the last not starting with a digit.
    private static bool IsValidHandle(ReadOnlySpan<char> handle)
    {
        if (handle.IsEmpty || handle.Length > MaxHandleLength)
        {
            return false;
        }

        var labels = 0;
        ReadOnlySpan<char> last = default;
        foreach (var range in handle.Split('.'))
        {
            var label = handle[range];
            if (label.IsEmpty || label.Length > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }

            labels++;
            last = label;
        }

        return labels >= 2 && !char.IsAsciiDigit(last[0]);
    }

    internal static bool IsValidRecordKey(ReadOnlySpan<char> rkey)
    {
        if (rkey.IsEmpty || rkey.Length > MaxRecordKeyLength || rkey is "." or "..")
        {
            return false;
        }

        foreach (var c in rkey)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '~' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
