using System.Text;
using Jetstream.Reactive.Internal;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Internal;

[TestFixture]
public sealed class Utf8StringCacheTests
{
    [Test]
    public void Get_EqualBytesFromDifferentBuffers_ReturnsEqualString()
    {
        var cache = new Utf8StringCache(16);
        var first = Encoding.UTF8.GetBytes("app.bsky.feed.like");
        var second = Encoding.UTF8.GetBytes("app.bsky.feed.like");

        var a = cache.Get(first);
        var b = cache.Get(second);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a, Is.EqualTo("app.bsky.feed.like"));
            Assert.That(b, Is.EqualTo("app.bsky.feed.like"));
        }
    }

    [Test]
    public void Get_Repeat_ReturnsSameInstance()
    {
        var cache = new Utf8StringCache(16);

        var a = cache.Get("app.bsky.feed.post"u8);
        var b = cache.Get(Encoding.UTF8.GetBytes("app.bsky.feed.post"));

        Assert.That(b, Is.SameAs(a));
    }

    [Test]
    public void Get_NonAscii_DecodesUtf8()
    {
        var cache = new Utf8StringCache(16);

        var value = cache.Get("fm.teal.é🔞"u8);

        Assert.That(value, Is.EqualTo("fm.teal.é🔞"));
    }

    [Test]
    public void Get_ManyValuesInOneSlot_AlwaysReturnsTheValueForTheInput()
    {
        // One slot: every new value evicts the previous one, so this checks the byte comparison, not just the hash.
        var cache = new Utf8StringCache(1);
        var names = Enumerable.Range(0, 50).Select(i => $"app.bsky.test.n{i}").ToArray();

        var results = names.Concat(names).Select(n => cache.Get(Encoding.UTF8.GetBytes(n))).ToArray();

        Assert.That(results, Is.EqualTo(names.Concat(names)));
    }

    [Test]
    public void Get_AfterEviction_ReturnsEqualValueAgain()
    {
        var cache = new Utf8StringCache(1);
        var first = cache.Get("a.b.c"u8);
        cache.Get("d.e.f"u8);

        var again = cache.Get("a.b.c"u8);

        Assert.That(again, Is.EqualTo(first));
    }

    [Test]
    public void Get_LongValue_ReturnsEqualString()
    {
        var cache = new Utf8StringCache(16);
        var longName = "com.example." + new string('x', 500);

        var a = cache.Get(Encoding.UTF8.GetBytes(longName));
        var b = cache.Get(Encoding.UTF8.GetBytes(longName));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a, Is.EqualTo(longName));
            Assert.That(b, Is.EqualTo(longName));
        }
    }

    [Test]
    public void Get_Empty_ReturnsEmptyString()
    {
        var cache = new Utf8StringCache(4);

        Assert.That(cache.Get([]), Is.Empty);
    }

    [Test]
    public void Constructor_SizeZero_Throws()
    {
        Assert.That(() => new Utf8StringCache(0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
