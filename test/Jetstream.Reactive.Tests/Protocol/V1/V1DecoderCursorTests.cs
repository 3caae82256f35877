using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Protocol.V1;

using static Jetstream.Reactive.Tests.Protocol.V1.V1Frames;

/// <summary>The server cursor of a decoded v1 event: the top-level cursor, zero as none, time_us when absent.</summary>
public sealed class V1DecoderCursorTests
{
    [Test]
    public void Decode_TopLevelCursor_SetsServerCursor()
    {
        var e = Decode(ValidCreate[..^1] + ""","cursor":123456789}""").Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.ServerCursor, Is.EqualTo(123456789L));
            Assert.That(e.Cursor, Is.EqualTo(123456789L));
        }
    }

    [Test]
    public void Decode_ZeroCursor_LeavesServerCursorNull()
    {
        var e = Decode("""{"cursor":0,""" + ValidCreate[1..]).Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.ServerCursor, Is.Null);
            Assert.That(e.Cursor, Is.EqualTo(1725516665234703L));
        }
    }

    [Test]
    public void Decode_NoCursor_UsesTimeUsAsCursor()
    {
        var e = Decode(ValidCreate).Event!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.ServerCursor, Is.Null);
            Assert.That(e.Cursor, Is.EqualTo(1725516665234703L));
        }
    }
}
