using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Protocol;

/// <summary>Malformed frames on a live connection are skipped, counted by reason, and the stream goes on.</summary>
public sealed class MalformedFrameStreamTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_MalformedFrames_SkippedCountedByReasonAndStreamGoesOn()
    {
        _h.Options = _h.Options with { MaxMessageSize = 1024 };
        using var malformed = _h.Meters.Collect<long>("jetstream.client.frames.malformed");
        using var received = _h.Meters.Collect<long>("jetstream.client.events.received");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            var s = _h.Transport.Socket(0);
            s.SendText("not json");
            s.SendBytes([0xC3, 0x28]);
            s.SendBytes([]);
            s.SendBytes([0x28, 0xB5, 0x2F, 0xFD], WebSocketMessageType.Binary);
            s.SendText("{\"time_us\":1,\"kind\":\"commit\"}");
            s.SendText("[1,2,3]");
            s.SendText(new string('[', 20_000) + new string(']', 20_000));
            s.SendFragments(WebSocketMessageType.Text, new byte[700], new byte[700]);
            s.SendText("{\"did\":\"did:plc:x\",\"time_us\":5,\"kind\":\"sync\"}");
            s.SendText(Events.Like(7_000));
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Select(m => m.Value.Value.TimeUs), Is.EqualTo(new[] { 7_000L }));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "malformed frames never cost the connection");
        var byReason = malformed.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags["jetstream.reason"]!)
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.That(byReason, Is.EqualTo(new Dictionary<string, long>
        {
            ["not_json"] = 1,
            ["invalid_utf8"] = 1,
            ["empty"] = 1,
            ["zstd_corrupt"] = 1,
            ["missing_field"] = 1,
            ["not_an_object"] = 1,
            ["too_large"] = 2,
        }).Using<Dictionary<string, long>>((a, b) => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value)));
        Assert.That(received.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(_h.LogsWithId(1005), Has.Count.EqualTo(8));
        Assert.That(_h.LogsWithId(1005).All(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Debug), Is.True);
    }
}
