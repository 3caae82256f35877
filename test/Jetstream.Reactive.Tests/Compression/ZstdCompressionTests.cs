using System.Net.WebSockets;
using System.Text;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Compression;

/// <summary>v1 zstd over the scripted socket, in virtual time: frames compressed here with the real v1 dictionary.</summary>
public sealed class ZstdCompressionTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    private static List<string> RealEvents() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "expected_v1.jsonl")).Where(l => l.Length > 0).ToList();

    [Test]
    public void Connect_CompressionZstd_AsksWithCompressTrueAfterTheFiltersAndBeforeTheCursor()
    {
        _h.Options = _h.Options with { Compression = JetstreamCompression.Zstd, WantedCollections = ["app.bsky.feed.post"] };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendBytes(Zstd.V1(Events.Like(1_000)), WebSocketMessageType.Binary));
        _h.At(200, () => _h.Transport.Socket(0).Drop());
        _h.Scheduler.AdvanceTo(Harness.Seconds(2));

        Assert.That(_h.Transport.Attempts.Select(a => a.Uri.Query), Is.EqualTo(new[]
        {
            "?wantedCollections=app.bsky.feed.post&compress=true",
            "?wantedCollections=app.bsky.feed.post&compress=true&cursor=1000",
        }));
    }

    [Test]
    public void Connect_CompressionNone_DoesNotAsk()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts.Single().Uri.Query, Is.Empty);
    }

    [Test]
    public void Connect_RealEventsAsCompressedFrames_DeliveredExactlyAsTheirTextAndCounted()
    {
        _h.Options = _h.Options with { Compression = JetstreamCompression.Zstd };
        using var received = _h.Meters.Collect<long>("jetstream.client.bytes.received");
        using var decompressed = _h.Meters.Collect<long>("jetstream.client.bytes.decompressed");
        using var malformed = _h.Meters.Collect<long>("jetstream.client.frames.malformed");
        var lines = RealEvents();
        var frames = lines.Select(l => Zstd.V1(l)).ToList();
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            foreach (var frame in frames)
            {
                _h.Transport.Socket(0).SendBytes(frame, WebSocketMessageType.Binary);
            }
        });
        _h.Scheduler.AdvanceTo(1_000);

        var expected = lines.Select(l => JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(l)).Event!.ToString()).ToList();
        Assert.That(observer.Messages.Select(m => m.Value.Value.ToString()), Is.EqualTo(expected));
        Assert.That(malformed.GetMeasurementSnapshot(), Is.Empty);
        Assert.That(received.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(frames.Sum(f => f.Length)));
        Assert.That(decompressed.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(lines.Sum(Encoding.UTF8.GetByteCount)));
    }

    [Test]
    public void Connect_TextAndBinaryMixed_BothDecodedWhateverWasAskedFor([Values] bool compressionAsked)
    {
        _h.Options = _h.Options with { Compression = compressionAsked ? JetstreamCompression.Zstd : JetstreamCompression.None };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendText(Events.Like(1));
            s.SendBytes(Zstd.V1(Events.Identity(2)), WebSocketMessageType.Binary);
            s.SendText(Events.Account(3));
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => m.Value.Value.TimeUs), Is.EqualTo(new[] { 1L, 2, 3 }));
    }

    [Test]
    public void Connect_CompressedMessageInFragments_IsAssembledThenDecoded()
    {
        _h.Options = _h.Options with { Compression = JetstreamCompression.Zstd };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        var frame = Zstd.V1(Events.Like(42));
        _h.At(100, () => _h.Transport.Socket(0).SendFragments(WebSocketMessageType.Binary, frame.Chunk(5).ToArray()));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Single().Value.Value.TimeUs, Is.EqualTo(42));
    }

    [Test]
    public void Connect_Bombs_SkippedAndCountedWhileTheConnectionStaysUp()
    {
        _h.Options = _h.Options with { Compression = JetstreamCompression.Zstd, MaxMessageSize = 64 * 1024 };
        using var malformed = _h.Meters.Collect<long>("jetstream.client.frames.malformed");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        var dictionary = Jetstream.Reactive.Compression.JetstreamZstdDictionaries.V1.Span;
        var declared = Zstd.Bomb(16 * 1024 * 1024, dictionary, declareSize: true);
        var undeclared = Zstd.Bomb(16 * 1024 * 1024, dictionary, declareSize: false);
        _h.At(100, () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendBytes(Zstd.V1(Events.Like(1)), WebSocketMessageType.Binary);
            s.SendBytes(declared, WebSocketMessageType.Binary);
            s.SendBytes(undeclared, WebSocketMessageType.Binary);
            s.SendBytes(Zstd.V1(Events.Like(2)), WebSocketMessageType.Binary);
        });
        _h.Scheduler.AdvanceTo(Harness.Seconds(5));

        Assert.That(observer.Messages.Select(m => m.Value.Value.TimeUs), Is.EqualTo(new[] { 1L, 2 }));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "a bomb never costs the connection");
        Assert.That(malformed.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "decompressed_too_large", "decompressed_too_large" }));
    }

    [Test]
    public void Connect_FrameMadeWithAnotherDictionary_SkippedCountedAndLoggedAtDebugWithBothIds()
    {
        _h.Options = _h.Options with { Compression = JetstreamCompression.Zstd };
        using var malformed = _h.Meters.Collect<long>("jetstream.client.frames.malformed");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendBytes(Zstd.V2(Events.Like(1)), WebSocketMessageType.Binary);
            _h.Transport.Socket(0).SendBytes(Zstd.V1(Events.Like(2)), WebSocketMessageType.Binary);
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => m.Value.Value.TimeUs), Is.EqualTo(new[] { 2L }));
        Assert.That(malformed.GetMeasurementSnapshot().Single().Tags["jetstream.reason"], Is.EqualTo("zstd_dictionary_mismatch"));
        var log = _h.LogsWithId(1005).Single();
        Assert.That(log.Level, Is.EqualTo(LogLevel.Debug));
        Assert.That(log.Message, Does.Contain("frame dictionary 20260811, expected 1612007021").And.Contain("28B52FFD"));
    }

    [Test]
    public void Connect_CompressedFrameWithBadJsonInside_ReportedAsTheJsonFault()
    {
        _h.Options = _h.Options with { Compression = JetstreamCompression.Zstd };
        using var malformed = _h.Meters.Collect<long>("jetstream.client.frames.malformed");
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendBytes(Zstd.V1("{\"did\":"), WebSocketMessageType.Binary));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(malformed.GetMeasurementSnapshot().Single().Tags["jetstream.reason"], Is.EqualTo("not_json"));
    }
}
