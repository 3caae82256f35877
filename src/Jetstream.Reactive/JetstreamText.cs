using System.Globalization;
using System.Text;

namespace Jetstream.Reactive;

/// <summary>
/// Makes text from the network (a post's text, a handle, a close reason, a server message) safe to print on a terminal
/// or write to a log line. Every string a server or a post author controls may hold terminal escapes
/// (<c>ESC ] 52 ;</c> writes the clipboard on common terminals), line breaks that forge log lines, or bidirectional
/// overrides that make text read differently from what it is.
/// </summary>
public static class JetstreamText
{
    /// <summary>
    /// <paramref name="text"/> on one line with every control character shown visibly: C0 controls as their Unicode
    /// control pictures (ESC as <c>␛</c>, a newline as <c>␊</c>), DEL as <c>␡</c>, C1 controls, bidirectional formatting
    /// characters and the line and paragraph separators as <c>&lt;U+202E&gt;</c>, and a lone surrogate as U+FFFD. Text
    /// longer than <paramref name="maxLength"/> characters is cut there and ends with <c>…</c>.
    /// </summary>
    /// <param name="text">The untrusted text; <see langword="null"/> gives an empty string.</param>
    /// <param name="maxLength">The most characters kept from <paramref name="text"/>, at least 1. Default: no cut.</param>
    /// <returns>The text, safe to print.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 1.</exception>
    public static string Printable(string? text, int maxLength = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.Length <= maxLength && IsPrintable(text))
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        for (var i = 0; i < text.Length; i++)
        {
            if (i >= maxLength)
            {
                builder.Append('…');
                break;
            }

            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (i + 1 >= maxLength)
                {
                    builder.Append('…');
                    break;
                }

                builder.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            AppendChar(builder, c);
        }

        return builder.ToString();
    }

    private static bool IsPrintable(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || IsFormatting(c) || char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendChar(StringBuilder builder, char c)
    {
        if (c < 0x20)
        {
            // Control pictures (U+2400–U+241F): one visible glyph per control, in the same order.
            builder.Append((char)(0x2400 + c));
        }
        else if (c == 0x7F)
        {
            builder.Append('\u2421');
        }
        else if ((c > 0x7F && c <= 0x9F) || IsFormatting(c))
        {
            builder.Append("<U+").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('>');
        }
        else if (char.IsSurrogate(c))
        {
            builder.Append('\uFFFD');
        }
        else
        {
            builder.Append(c);
        }
    }

    /// <summary>Bidirectional marks, embeddings, overrides and isolates, and the line and paragraph separators.</summary>
    private static bool IsFormatting(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
