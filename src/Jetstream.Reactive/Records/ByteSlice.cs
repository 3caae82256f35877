using System.Text;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Records;

/// <summary>
/// The part of a post's text a facet covers (<c>app.bsky.richtext.facet#byteSlice</c>). The offsets count
/// <em>UTF-8 bytes</em>, not .NET <see langword="char"/>s, so <c>text[ByteStart..ByteEnd]</c> is wrong as soon as the
/// text has a character outside ASCII; use <see cref="GetText(string)"/>.
/// </summary>
public sealed record ByteSlice
{
    /// <summary>The offset of the first byte, inclusive (<c>byteStart</c>).</summary>
    public required int ByteStart { get; init; }

    /// <summary>The offset after the last byte, exclusive (<c>byteEnd</c>).</summary>
    public required int ByteEnd { get; init; }

    /// <summary>
    /// The characters of <paramref name="text"/> covered by this slice, with the offsets taken as UTF-8 byte offsets.
    /// </summary>
    /// <param name="text">The text the slice belongs to, usually <see cref="PostRecord.Text"/>.</param>
    /// <returns>
    /// The covered text; <see langword="null"/> when the slice is reversed, runs past the end of the text, or starts or
    /// ends inside a character's encoding (authors' clients get this wrong now and then).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public string? GetText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (ByteStart < 0 || ByteEnd < ByteStart)
        {
            return null;
        }

        // One pass over a text serves all its facets (see Utf8Offsets): linear per post, however many facets it has.
        var offsets = Utf8Offsets.For(text);
        return offsets.CharOffset(ByteStart) is { } start && offsets.CharOffset(ByteEnd) is { } end ? text[start..end] : null;
    }

    /// <summary>The bytes of <paramref name="utf8"/> covered by this slice.</summary>
    /// <param name="utf8">The text as UTF-8.</param>
    /// <returns>The covered bytes; empty when the slice does not fit in <paramref name="utf8"/>.</returns>
    public ReadOnlySpan<byte> GetBytes(ReadOnlySpan<byte> utf8) =>
        ByteStart >= 0 && ByteEnd >= ByteStart && ByteEnd <= utf8.Length ? utf8[ByteStart..ByteEnd] : [];

    /// <summary>The slice that covers <paramref name="length"/> characters of <paramref name="text"/> from <paramref name="start"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="start">The index of the first <see langword="char"/>.</param>
    /// <param name="length">The number of <see langword="char"/>s.</param>
    /// <returns>The same range in UTF-8 byte offsets, as a facet needs it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range does not fit in <paramref name="text"/>.</exception>
    public static ByteSlice FromCharRange(string text, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, text.Length - length, nameof(start));
        var byteStart = Encoding.UTF8.GetByteCount(text.AsSpan(0, start));
        return new ByteSlice { ByteStart = byteStart, ByteEnd = byteStart + Encoding.UTF8.GetByteCount(text.AsSpan(start, length)) };
    }
}
