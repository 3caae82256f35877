using System.Net;
using System.Net.WebSockets;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Compression;

/// <summary>
/// v2 zstd in virtual time: the dictionary fetched from the host and cached, the bundled fallback, rotation with
/// <c>UnknownZstdDictionary</c>, and the fall back to uncompressed frames. Frames are compressed here with ZstdSharp.
/// </summary>
public sealed class V2CompressionTests
{
    private const string Rejection = "unknown zstd dictionary 20260811; the current dictionary is 20270101";

    private Harness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2, Compression = JetstreamCompression.Zstd };
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    private static JetstreamHandshakeException UnknownDictionary(string message = Rejection) =>
        new(HttpStatusCode.BadRequest, V2Frames.XrpcError("UnknownZstdDictionary", message));

    private static byte[] Rotated(string json) => Zstd.Compress(System.Text.Encoding.UTF8.GetBytes(json), ScriptedDictionarySource.Rotated);

    [Test]
    public void Connect_V2Zstd_FetchesTheCurrentDictionaryFromTheSameHostAndAsksForIt()
    {
        using var fetches = _h.Meters.Collect<long>("jetstream.client.dictionary.fetches");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendBytes(Zstd.V2(V2Frames.Commit(1)), WebSocketMessageType.Binary);
            _h.Transport.Socket(0).SendBytes(Zstd.V2(V2Frames.Info()), WebSocketMessageType.Binary);
            _h.Transport.Socket(0).SendText(V2Frames.Identity(2));
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.Dictionaries.Requests.Select(u => u.AbsoluteUri), Is.EqualTo(new[] { "http://127.0.0.1:6008/xrpc/network.bsky.jetstream.getZstdDictionary" }));
        Assert.That(_h.Transport.Attempts.Single().Query("zstdDictionary"), Is.EqualTo("20260811"));
        Assert.That(observer.Messages.Select(m => m.Value.Value.Cursor), Is.EqualTo(new[] { 1L, 2 }));
        Assert.That(_h.LogsWithId(1016), Has.Count.EqualTo(1), "notices arrive compressed too");
        Assert.That(fetches.GetMeasurementSnapshot().Single().Tags["jetstream.outcome"], Is.EqualTo("success"));
        Assert.That(_h.LogsWithId(1013).Single().Message, Does.Contain("20260811"));
    }

    [Test]
    public void Connect_V2ZstdReconnectsAndSecondSubscription_ReuseTheDictionaryFromMemory()
    {
        var stream = JetstreamObservable.Connect(_h.Options);
        using var first = stream.Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));
        using var second = stream.Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(3));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(3));
        Assert.That(_h.Transport.Attempts.Select(a => a.Query("zstdDictionary")), Is.All.EqualTo("20260811"));
        Assert.That(_h.Dictionaries.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_V2ZstdFetchFails_UsesTheBundledDictionary()
    {
        using var fetches = _h.Meters.Collect<long>("jetstream.client.dictionary.fetches");
        _h.Dictionaries.ThenFail(new HttpRequestException("connection refused"));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).SendBytes(Zstd.V2(V2Frames.Commit(1)), WebSocketMessageType.Binary));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.Transport.Attempts.Single().Query("zstdDictionary"), Is.EqualTo("20260811"));
        Assert.That(observer.Messages, Has.Count.EqualTo(1));
        Assert.That(fetches.GetMeasurementSnapshot().Single().Tags["jetstream.outcome"], Is.EqualTo("failure"));
        var warning = _h.LogsWithId(1014).Single();
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain("connection refused").And.Contain("bundled dictionary 20260811"));
    }

    [TestCase(new byte[] { 1, 2, 3 }, TestName = "Connect_V2ZstdFetchedBodyIsNotADictionary_UsesTheBundledDictionary")]
    [TestCase(new byte[] { 0x37, 0xA4, 0x30, 0xEC, 1, 0, 0, 0, 9, 9, 9, 9 }, TestName = "Connect_V2ZstdFetchedDictionaryZstdCannotLoad_UsesTheBundledDictionary")]
    public void Connect_V2ZstdFetchedBodyUnusable(byte[] body)
    {
        _h.Dictionaries.CurrentBodyOverride = body;
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts.Single().Query("zstdDictionary"), Is.EqualTo("20260811"));
        Assert.That(_h.LogsWithId(1014), Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_V2ZstdDictionaryRotation_RefetchesTheNamedIdAndReconnectsAtOnceFromTheCursor()
    {
        using var reconnects = _h.Meters.Collect<long>("jetstream.client.reconnects");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).SendBytes(Zstd.V2(V2Frames.Commit(5)), WebSocketMessageType.Binary));
        _h.At(200, () =>
        {
            // The server restarts with a new dictionary: the reconnect with the old one is refused.
            _h.Dictionaries.Rotate();
            _h.Transport.ThenFail(UnknownDictionary());
            _h.Transport.Socket(0).Close(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
        });
        _h.Scheduler.AdvanceTo(Seconds(1) + 201);

        Assert.That(_h.Transport.Attempts.Select(a => (a.Time, a.Query("zstdDictionary"), a.Cursor)), Is.EqualTo(new[]
        {
            (0L, (string?)"20260811", (string?)null),
            (Seconds(1) + 200, "20260811", "5"),
            (Seconds(1) + 201, "20270101", "5"),
        }));
        Assert.That(_h.Dictionaries.Requests.Select(u => u.Query), Is.EqualTo(new[] { "", "?id=20270101" }), "the ID the server named, fetched by ID");
        Assert.That(_h.LogsWithId(1019).Single().Level, Is.EqualTo(LogLevel.Warning));

        _h.At(Seconds(2), () =>
        {
            _h.Transport.Socket(2).SendBytes(Rotated(V2Frames.Commit(5)), WebSocketMessageType.Binary);
            _h.Transport.Socket(2).SendBytes(Rotated(V2Frames.Commit(6)), WebSocketMessageType.Binary);
        });
        _h.Scheduler.AdvanceTo(Seconds(3));

        Assert.That(observer.Messages.Select(m => m.Value.Value.Cursor), Is.EqualTo(new[] { 5L, 6 }));
        Assert.That(reconnects.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "failure", "dictionary_rotated" }));
        Assert.That(_h.LogsWithId(1015), Is.Empty);
    }

    [Test]
    public void Connect_V2ZstdRejectionWithoutANamedId_RefetchesTheCurrentOne()
    {
        _h.Dictionaries.Rotate();
        _h.Dictionaries.CurrentId = ScriptedDictionarySource.RotatedId;
        _h.Options = _h.Options with { DictionarySource = _h.Dictionaries };
        _h.Dictionaries.ThenFail(new HttpRequestException("down"));
        _h.Transport.ThenFail(UnknownDictionary("unknown dictionary"));
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts.Select(a => a.Query("zstdDictionary")), Is.EqualTo(new[] { "20260811", "20270101" }));
        Assert.That(_h.Dictionaries.Requests.Select(u => u.Query), Is.EqualTo(new[] { "", "" }));
    }

    [Test]
    public void Connect_V2ZstdRefetchGivesTheRejectedIdAgain_FallsBackToUncompressed()
    {
        using var fallbacks = _h.Meters.Collect<long>("jetstream.client.compression.fallbacks");
        _h.Transport.ThenFail(UnknownDictionary("unknown dictionary"));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(1).SendText(V2Frames.Commit(1)));
        _h.At(200, () => _h.Transport.Socket(1).Drop());
        _h.Scheduler.AdvanceTo(Seconds(2));

        Assert.That(_h.Transport.Attempts.Select(a => a.Query("zstdDictionary")), Is.EqualTo(new string?[] { "20260811", null, null }), "uncompressed for the rest of the subscription");
        Assert.That(observer.Messages, Has.Count.EqualTo(1));
        Assert.That(fallbacks.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(_h.LogsWithId(1015).Single().Message, Does.Contain("offers dictionary 20260811, which it rejected"));
    }

    [Test]
    public void Connect_V2ZstdRefetchFails_FallsBackToUncompressed()
    {
        _h.Transport.ThenFail(UnknownDictionary());
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(1);
        _h.Dictionaries.ThenFail(new HttpRequestException("HTTP 404 DictionaryNotFound"));
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts.Select(a => a.Query("zstdDictionary")), Is.EqualTo(new string?[] { "20260811", null }));
        Assert.That(_h.LogsWithId(1014).Single().Message, Does.Contain("going on uncompressed"));
        Assert.That(_h.LogsWithId(1015), Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_V2UnknownZstdDictionaryWithoutCompression_IsTerminal()
    {
        _h.Options = _h.Options with { Compression = JetstreamCompression.None };
        _h.Transport.ThenFail(UnknownDictionary());
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(((JetstreamHandshakeException)observer.Messages.Single().Value.Exception!).Error, Is.EqualTo("UnknownZstdDictionary"));
    }

    [Test]
    public void Connect_V2ZstdDirectory_WritesFetchedDictionariesAndReadsANamedOneWithoutFetching()
    {
        var directory = Path.Combine(Path.GetTempPath(), "jetstream-reactive-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(Path.Combine(directory, "jetstream-zstd-20270101.zdict"), ScriptedDictionarySource.Rotated);
            _h.Options = _h.Options with { ZstdDictionaryDirectory = directory };
            _h.Transport.ThenOpen().ThenFail(UnknownDictionary());
            using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
            _h.At(100, () => _h.Transport.Socket(0).Drop());
            _h.Scheduler.AdvanceTo(Seconds(2));

            Assert.That(_h.Transport.Attempts.Select(a => a.Query("zstdDictionary")), Is.EqualTo(new[] { "20260811", "20260811", "20270101" }));
            Assert.That(_h.Dictionaries.Requests, Has.Count.EqualTo(1), "the named dictionary came from the directory");
            Assert.That(File.ReadAllBytes(Path.Combine(directory, "jetstream-zstd-20260811.zdict")), Is.EqualTo(JetstreamZstdDictionaries.BundledV2.ToArray()), "the fetched one was written");
            Assert.That(Directory.GetFiles(directory, "*.tmp"), Is.Empty);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Connect_V2ZstdDirectoryFileIsNotTheNamedDictionary_IsIgnoredAndFetched()
    {
        var directory = Path.Combine(Path.GetTempPath(), "jetstream-reactive-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(Path.Combine(directory, "jetstream-zstd-20270101.zdict"), JetstreamZstdDictionaries.BundledV2.ToArray());
            _h.Dictionaries.Held[ScriptedDictionarySource.RotatedId] = ScriptedDictionarySource.Rotated;
            _h.Options = _h.Options with { ZstdDictionaryDirectory = directory };
            _h.Transport.ThenFail(UnknownDictionary());
            using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
            _h.Scheduler.AdvanceTo(10);

            Assert.That(_h.Dictionaries.Requests.Select(u => u.Query), Is.EqualTo(new[] { "", "?id=20270101" }));
            Assert.That(_h.LogsWithId(1020).Single().Message, Does.Contain("not the dictionary its name says"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Connect_V2ZstdWrongDictionaryFrameAndBomb_SkippedCountedConnectionStaysUp()
    {
        _h.Options = _h.Options with { MaxMessageSize = 64 * 1024 };
        using var malformed = _h.Meters.Collect<long>("jetstream.client.frames.malformed");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendBytes(Zstd.V1(V2Frames.Commit(1)), WebSocketMessageType.Binary);
            s.SendBytes(Zstd.Bomb(8 * 1024 * 1024, JetstreamZstdDictionaries.BundledV2.Span, declareSize: false), WebSocketMessageType.Binary);
            s.SendBytes(Zstd.V2(V2Frames.Commit(2)), WebSocketMessageType.Binary);
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => m.Value.Value.Cursor), Is.EqualTo(new[] { 2L }));
        Assert.That(malformed.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "zstd_dictionary_mismatch", "decompressed_too_large" }));
        Assert.That(_h.LogsWithId(1005)[0].Message, Does.Contain("frame dictionary 1612007021, expected 20260811"));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Connect_V2Uncompressed_BinaryFramesDecodedWithTheBundledDictionary()
    {
        _h.Options = _h.Options with { Compression = JetstreamCompression.None };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () => _h.Transport.Socket(0).SendBytes(Zstd.V2(V2Frames.Commit(1)), WebSocketMessageType.Binary));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Single().Value.Value.Cursor, Is.EqualTo(1));
        Assert.That(_h.Transport.Attempts.Single().Query("zstdDictionary"), Is.Null);
        Assert.That(_h.Dictionaries.Requests, Is.Empty);
    }

    [TestCase("unknown zstd dictionary 20260811; the current dictionary is 20270101", 20260811u, 20270101u)]
    [TestCase("current dictionary is 20270101, you sent 20260811", 20260811u, 20270101u)]
    [TestCase("unknown zstd dictionary 20260811", 20260811u, null)]
    [TestCase("dictionary 5 or 6", 20260811u, null)]
    [TestCase("", 20260811u, null)]
    [TestCase("current 99999999999", 20260811u, null)]
    public void HintedId_ServerMessage_FindsTheOneOtherId(string message, uint rejected, uint? expected)
    {
        Assert.That(V2Compression.HintedId(message, rejected), Is.EqualTo(expected));
    }
}
