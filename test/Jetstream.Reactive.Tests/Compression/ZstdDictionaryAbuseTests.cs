using System.Net;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Compression;

/// <summary>A server naming a fresh dictionary on every connection: no spin, no unbounded cache, and in the end text frames.</summary>
public sealed class ZstdDictionaryAbuseTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, Compression = JetstreamCompression.Zstd };
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_EveryDictionaryRejected_BacksOffThenGoesUncompressed()
    {
        // Each rejection names a new "current" dictionary, which the host serves: the old client fetched and tried each, at once, forever.
        for (uint i = 1; i <= 3; i++)
        {
            var next = 30_000_000 + i;
            _h.Dictionaries.Held[next] = ScriptedDictionarySource.WithId(JetstreamZstdDictionaries.BundledV2.Span, next);
            _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, V2Frames.XrpcError("UnknownZstdDictionary", $"unknown zstd dictionary; the current dictionary is {next}")));
        }

        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(60));

        var attempts = _h.Transport.Attempts;
        Assert.That(attempts[1].Time - attempts[0].Time, Is.LessThan(10), "the first rejection is a rotation: reconnect at once");
        Assert.That(attempts[2].Time - attempts[1].Time, Is.GreaterThanOrEqualTo(Seconds(1)), "the second waits like any retry");
        Assert.That(attempts.Take(3).Select(a => a.Query("zstdDictionary")), Has.All.Not.Null);
        Assert.That(attempts, Has.Count.EqualTo(4));
        Assert.That(attempts[3].Query("zstdDictionary"), Is.Null, "after three in a row, uncompressed");
        Assert.That(_h.LogsWithId(1015).Single().Message, Does.Contain("rejected 3 dictionaries in a row"));
        Assert.That(_h.Dictionaries.Requests, Has.Count.LessThanOrEqualTo(3));
    }

    [Test]
    public void Connect_RejectionsSeparatedByAcceptedConnections_NeverFallBack()
    {
        // Legitimate rotations, each followed by a working connection, must not add up to a fallback.
        for (uint i = 1; i <= 4; i++)
        {
            var next = 30_000_000 + i;
            _h.Dictionaries.Held[next] = ScriptedDictionarySource.WithId(JetstreamZstdDictionaries.BundledV2.Span, next);
            _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, V2Frames.XrpcError("UnknownZstdDictionary", $"the current dictionary is {next}"))).ThenOpen();
        }

        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        for (var i = 0; i < 4; i++)
        {
            _h.At(Seconds(10 * (i + 1)), () => _h.Transport.Last.Drop());
        }

        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(_h.LogsWithId(1015), Is.Empty);
        Assert.That(_h.Transport.Attempts.Select(a => a.Query("zstdDictionary")), Has.All.Not.Null);
    }

    [Test]
    public void Add_ManyDictionaries_MemoryAndDirectoryKeepOnlyTheNewestWithinTheCaps()
    {
        var directory = Path.Combine(Path.GetTempPath(), "jetstream-reactive-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cache = new ZstdDictionaryCache(directory, NullLogger.Instance);
            for (uint id = 1; id <= 20; id++)
            {
                cache.Add(id, ScriptedDictionarySource.WithId(JetstreamZstdDictionaries.BundledV2.Span, id));
                File.SetLastWriteTimeUtc(cache.PathOf(id)!, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(id));
            }

            var inMemory = Enumerable.Range(1, 20).Count(id => cache.TryGetInMemory((uint)id));
            Assert.That(inMemory, Is.EqualTo(ZstdDictionaryCache.MaxEntries));
            Assert.That(Directory.GetFiles(directory), Has.Length.EqualTo(ZstdDictionaryCache.MaxEntries));
            Assert.That(File.Exists(cache.PathOf(20)), Is.True, "the newest is kept");
            Assert.That(File.Exists(cache.PathOf(1)), Is.False, "the oldest went first");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
