using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Transport;

/// <summary>Fragmented and large messages are assembled into one frame up to the size limit.</summary>
public sealed class MessageAssemblyTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_MessageInManySmallFragments_IsAssembled()
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        var bytes = System.Text.Encoding.UTF8.GetBytes(Events.Like(42));
        _h.At(100, () => _h.Transport.Socket(0).SendFragments(WebSocketMessageType.Text, bytes.Chunk(7).Append([]).ToArray()));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(observer.Messages.Single().Value.Value.TimeUs, Is.EqualTo(42));
    }

    [Test]
    public void Connect_MessageLargerThanInitialBuffer_IsAssembledUpToTheLimit()
    {
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        var big = Events.Like(42).Replace("\"createdAt\"", "\"pad\":\"" + new string('x', 200_000) + "\",\"createdAt\"", StringComparison.Ordinal);
        _h.At(100, () => _h.Transport.Socket(0).SendText(big));
        _h.Scheduler.AdvanceTo(1_000);

        var commit = ((CommitEvent)observer.Messages.Single().Value.Value).Commit;
        Assert.That(commit.Record!.Value.GetProperty("pad").GetString(), Has.Length.EqualTo(200_000));
    }
}
