using System.Text;
using Jetstream.Reactive.Records;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Records;

public sealed class ByteSliceTests
{
    // "café " is 6 UTF-8 bytes (é is 2) but 5 chars; "😂" is 4 bytes and 2 chars; "日本" is 6 bytes and 2 chars: 23 bytes.
    private const string Text = "café 😂 #日本 @bob";

    [TestCase(0, 5, "café")]
    [TestCase(6, 10, "😂")]
    [TestCase(11, 18, "#日本")]
    [TestCase(19, 23, "@bob")]
    [TestCase(23, 23, "")]
    [TestCase(0, 23, Text)]
    public void GetText_Utf8Offsets_ReturnsTheCoveredCharacters(int start, int end, string expected)
    {
        var slice = new ByteSlice { ByteStart = start, ByteEnd = end };

        Assert.That(slice.GetText(Text), Is.EqualTo(expected));
        Assert.That(Encoding.UTF8.GetString(slice.GetBytes(Encoding.UTF8.GetBytes(Text))), Is.EqualTo(expected));
    }

    [TestCase(0, 4, TestName = "GetText_EndInsideTwoByteCharacter_ReturnsNull")]
    [TestCase(8, 11, TestName = "GetText_StartInsideEmoji_ReturnsNull")]
    [TestCase(7, 9, TestName = "GetText_EndInsideEmoji_ReturnsNull")]
    [TestCase(19, 24, TestName = "GetText_PastTheEnd_ReturnsNull")]
    [TestCase(5, 3, TestName = "GetText_Reversed_ReturnsNull")]
    [TestCase(-1, 3, TestName = "GetText_Negative_ReturnsNull")]
    public void GetText_SliceThatDoesNotFit_ReturnsNull(int start, int end)
    {
        Assert.That(new ByteSlice { ByteStart = start, ByteEnd = end }.GetText(Text), Is.Null);
    }

    [Test]
    public void GetText_CharOffsetsMistakenForBytes_WouldCutTheWrongText()
    {
        // What the helper exists for: the tag's UTF-16 index is 8, but its byte offset is 11.
        var slice = ByteSlice.FromCharRange(Text, Text.IndexOf('#', StringComparison.Ordinal), 3);

        Assert.That(slice, Is.EqualTo(new ByteSlice { ByteStart = 11, ByteEnd = 18 }));
        Assert.That(slice.GetText(Text), Is.EqualTo("#日本"));
        Assert.That(Text.Substring(slice.ByteStart, 3), Is.Not.EqualTo("#日本"));
    }

    [Test]
    public void GetText_LoneSurrogate_CountsAsThreeBytesLikeTheEncoder()
    {
        var text = "a\uD800b";

        Assert.That(new ByteSlice { ByteStart = 4, ByteEnd = 5 }.GetText(text), Is.EqualTo("b"));
        Assert.That(Encoding.UTF8.GetByteCount(text), Is.EqualTo(5));
    }

    [Test]
    public void GetText_EmptyTextEmptySlice_ReturnsEmpty()
    {
        Assert.That(new ByteSlice { ByteStart = 0, ByteEnd = 0 }.GetText(string.Empty), Is.Empty);
        Assert.That(() => new ByteSlice { ByteStart = 0, ByteEnd = 0 }.GetText(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void FromCharRange_OutOfRange_Throws()
    {
        Assert.That(() => ByteSlice.FromCharRange(Text, 20, 5), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => ByteSlice.FromCharRange(Text, -1, 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => ByteSlice.FromCharRange(null!, 0, 0), Throws.ArgumentNullException);
    }

    [Test]
    public void GetText_ThousandsOfFacetsOverALongText_OnePassOverTheText()
    {
        // 50,000 two-byte characters and 2,000 facets near the end: one scan per facet would read about 10^8 runes.
        var text = new string('é', 50_000) + " #tag";
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        var slice = new ByteSlice { ByteStart = bytes - 4, ByteEnd = bytes };
        var before = Jetstream.Reactive.Records.Internal.Utf8Offsets.RunesRead;

        for (var i = 0; i < 2_000; i++)
        {
            Assert.That(slice.GetText(text), Is.EqualTo("#tag"));
        }

        var read = Jetstream.Reactive.Records.Internal.Utf8Offsets.RunesRead - before;
        Assert.That(read, Is.LessThan(text.Length + (2_000 * 2 * 70)), "one pass to index the text, then a few runes per lookup");
    }
}
