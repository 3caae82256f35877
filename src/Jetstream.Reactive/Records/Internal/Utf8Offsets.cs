using System.Text;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>
/// Maps UTF-8 byte offsets of a string (as facets count them) to UTF-16 char offsets, built in one pass over the text and
/// then answering each lookup from a checkpoint at most <see cref="Step"/> bytes back. The last text is kept per thread,
/// so the facets of one post cost one pass over its text in all, not one pass each (a post with thousands of facets
/// over a long text would otherwise cost their product). A lone surrogate counts as U+FFFD (3 bytes), as in UTF-8.
/// </summary>
internal sealed class Utf8Offsets
{
    private const int Step = 64;

    [ThreadStatic]
    private static Utf8Offsets? t_last;

    [ThreadStatic]
    private static long t_runesRead;

    private readonly string _text;
    private readonly int _totalBytes;

    // Checkpoint i: the byte and char offsets of the last rune boundary at or before byte i * Step.
    private readonly int[] _bytes;
    private readonly int[] _chars;

    private Utf8Offsets(string text)
    {
        _text = text;
        _totalBytes = Encoding.UTF8.GetByteCount(text);
        var count = (_totalBytes / Step) + 1;
        _bytes = new int[count];
        _chars = new int[count];
        var next = 0;
        var bytes = 0;
        var chars = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            t_runesRead++;
            var after = bytes + rune.Utf8SequenceLength;
            while (next < count && (long)next * Step < after)
            {
                _bytes[next] = bytes;
                _chars[next] = chars;
                next++;
            }

            bytes = after;
            chars += rune.Utf16SequenceLength;
        }

        for (; next < count; next++)
        {
            _bytes[next] = bytes;
            _chars[next] = chars;
        }
    }

    /// <summary>Runes decoded on this thread so far (for tests of the cost).</summary>
    internal static long RunesRead => t_runesRead;

    /// <summary>The offsets of <paramref name="text"/>: the ones built for the same string last on this thread, or new ones.</summary>
    public static Utf8Offsets For(string text)
    {
        if (t_last is { } last && ReferenceEquals(last._text, text))
        {
            return last;
        }

        return t_last = new Utf8Offsets(text);
    }

    /// <summary>The char offset of byte <paramref name="byteOffset"/>, or <see langword="null"/> when it is not a rune boundary of the text.</summary>
    public int? CharOffset(int byteOffset)
    {
        if (byteOffset < 0 || byteOffset > _totalBytes)
        {
            return null;
        }

        var i = byteOffset / Step;
        var bytes = _bytes[i];
        var chars = _chars[i];
        while (bytes < byteOffset)
        {
            t_runesRead++;
            Rune.DecodeFromUtf16(_text.AsSpan(chars), out var rune, out var consumed);
            bytes += rune.Utf8SequenceLength;
            chars += consumed;
        }

        return bytes == byteOffset ? chars : null;
    }
}
