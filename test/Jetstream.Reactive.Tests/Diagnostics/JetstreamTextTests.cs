using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Diagnostics;

public sealed class JetstreamTextTests
{
    [TestCase("plain text, émoji 🦋", "plain text, émoji 🦋")]
    [TestCase("a\u001b]52;c;ZXZpbA==\u0007b", "a␛]52;c;ZXZpbA==␇b")]
    [TestCase("line\r\nforged", "line␍␊forged")]
    [TestCase("tab\tdel\u007f", "tab␉del␡")]
    [TestCase("c1\u0085\u009b", "c1<U+0085><U+009B>")]
    [TestCase("abc\u202Edef\u2066\u200F", "abc<U+202E>def<U+2066><U+200F>")]
    [TestCase("sep\u2028", "sep<U+2028>")]
    [TestCase("", "")]
    public void Printable_UntrustedText_ShowsControlsVisibly(string text, string expected) =>
        Assert.That(JetstreamText.Printable(text), Is.EqualTo(expected));

    [Test]
    public void Printable_LoneSurrogates_ReplacementCharacter()
    {
        // Built in code: an attribute's string cannot carry a lone surrogate through metadata.
        Assert.That(JetstreamText.Printable("lone" + (char)0xDC00), Is.EqualTo("lone\uFFFD"));
        Assert.That(JetstreamText.Printable("high" + (char)0xD83D + "x"), Is.EqualTo("high\uFFFDx"));
    }

    [Test]
    public void Printable_Null_Empty() => Assert.That(JetstreamText.Printable(null), Is.Empty);

    [Test]
    public void Printable_LongerThanMax_CutWithEllipsisNeverSplittingAPair()
    {
        Assert.That(JetstreamText.Printable("abcdef", 3), Is.EqualTo("abc…"));
        Assert.That(JetstreamText.Printable("ab🦋", 3), Is.EqualTo("ab…"));
        Assert.That(JetstreamText.Printable("abc", 3), Is.EqualTo("abc"));
        Assert.That(() => JetstreamText.Printable("a", 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
