using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>
/// A content identifier (CID) in string form, checked for shape but not decoded: a CIDv1 in base32 (<c>bafy…</c>,
/// <c>bafk…</c>, what atproto uses), a CIDv1 in base58btc (<c>z…</c>) or a CIDv0 (<c>Qm…</c>, 46 characters).
/// </summary>
/// <remarks>
/// A thin wrapper over the string, so it costs no allocation beyond the string itself. Equality is ordinal. The
/// <see langword="default"/> value is empty (<see cref="IsEmpty"/>) and is never produced by parsing.
/// </remarks>
[JsonConverter(typeof(CidJsonConverter))]
public readonly struct Cid : IEquatable<Cid>
{
    /// <summary>The shortest CID string accepted.</summary>
    public const int MinLength = 8;

    /// <summary>The longest CID string accepted.</summary>
    public const int MaxLength = 256;

    private static readonly SearchValues<char> Base58Alphabet = SearchValues.Create("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz");

    private readonly string? _value;

    private Cid(string value) => _value = value;

    /// <summary>The CID as text; empty for <see langword="default"/>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether this is the <see langword="default"/> value, which holds no CID.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>Parses a CID string.</summary>
    /// <param name="value">The CID.</param>
    /// <returns>The CID.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException"><paramref name="value"/> does not have the shape of a CID.</exception>
    public static Cid Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var cid)
            ? cid
            : throw new FormatException("Not a CID: expected a base32 CIDv1 (b…), a base58btc CIDv1 (z…) or a CIDv0 (Qm…, 46 characters).");
    }

    /// <summary>Parses a CID string without throwing.</summary>
    /// <param name="value">The CID; <see langword="null"/> fails.</param>
    /// <param name="result">The CID, or <see langword="default"/> when <paramref name="value"/> is not valid.</param>
    /// <returns>Whether <paramref name="value"/> has the shape of a CID.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, out Cid result)
    {
        result = default;
        if (!IsValid(value))
        {
            return false;
        }

        result = new Cid(value);
        return true;
    }

    /// <summary>Whether <paramref name="value"/> has the shape of a CID (see <see cref="Cid"/>).</summary>
    /// <param name="value">The text to check.</param>
    /// <returns><see langword="true"/> for a well-formed CID string.</returns>
    public static bool IsValid([NotNullWhen(true)] string? value)
    {
        if (value is null || value.Length is < MinLength or > MaxLength)
        {
            return false;
        }

        var span = value.AsSpan();
        if (span.Length == 46 && span.StartsWith("Qm", StringComparison.Ordinal))
        {
            return IsBase58(span);
        }

        return span[0] switch
        {
            // The first byte of a CIDv1 is 0x01, whose first five bits give the base32 digit 'a'.
            'b' => span[1] == 'a' && IsBase32Lower(span[1..]),
            'z' => IsBase58(span[1..]),
            _ => false,
        };
    }

    /// <summary>Compares two CIDs (ordinal).</summary>
    /// <param name="left">A CID.</param>
    /// <param name="right">A CID.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(Cid left, Cid right) => left.Equals(right);

    /// <summary>Compares two CIDs (ordinal).</summary>
    /// <param name="left">A CID.</param>
    /// <param name="right">A CID.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Cid left, Cid right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(Cid other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Cid other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The CID as text.</summary>
    /// <returns><see cref="Value"/>.</returns>
    public override string ToString() => Value;

    // For values the server already vouched for (commit.cid); keeps the hot path free of re-validation.
    internal static Cid FromTrusted(string value) => new(value);

    private static bool IsBase32Lower(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '2' and <= '7')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsBase58(ReadOnlySpan<char> span) => !span.IsEmpty && !span.ContainsAnyExcept(Base58Alphabet);
}
