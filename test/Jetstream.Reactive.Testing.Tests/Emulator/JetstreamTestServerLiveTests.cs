using System.Net.WebSockets;
using Jetstream.Reactive.Testing;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>Live mode: ingest at a rate on the server's clock, and the v1 slow-subscriber drop.</summary>
[CancelAfter(30_000)]
public sealed class JetstreamTestServerLiveTests
{
    // A realistic start: µs timestamps from 2000 (FakeTimeProvider's default) are below 10^15, which the newer
    // server would read as seqs.
    private static readonly DateTimeOffset Start = new(2026, 5, 25, 14, 0, 0, TimeSpan.Zero);

    private static long Micros(DateTimeOffset t) => (t - DateTimeOffset.UnixEpoch).Ticks / 10;

    private static JetstreamEventSource Posts(long? count = null) =>
        JetstreamEventSource.FromGenerator(i => TestEvents.Post($"post {i}", rkey: $"p{i}"), count);

    [Test]
    public async Task Live_OneSecondAt100PerSecond_Ingests100EventsStampedByTheClock(CancellationToken token)
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await EmulatorTest.StartAsync(new() { Mode = EmulatorMode.Live, EventsPerSecond = 100, TimeProvider = time, Events = Posts() }, token);
        var before = server.NextSeq;

        time.Advance(TimeSpan.FromSeconds(1));
        await EmulatorTest.WaitUntilAsync(() => server.NextSeq >= 101, "100 events are ingested", token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?cursor=1", token);
        var events = (await client.ReceiveDataAsync(100, token)).Select(f => f.Json).ToList();

        Assert.That(before, Is.EqualTo(1), "nothing before the clock moves");
        Assert.That(server.NextSeq, Is.EqualTo(101));
        Assert.That(events.Select(e => e["commit"]!["rkey"]!.GetValue<string>()), Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"p{i}")));
        var times = events.Select(e => e["time_us"]!.GetValue<long>()).ToList();
        Assert.That(times[0], Is.EqualTo(Micros(Start.AddSeconds(1))), "stamped by the fake clock");
        Assert.That(times, Is.EqualTo(Enumerable.Range(0, 100).Select(i => times[0] + i)), "one batch: strictly increasing by 1 µs");
    }

    [Test]
    public async Task Live_NoCursor_StartsAtTheTailAndReceivesWhatIsIngestedAfter(CancellationToken token)
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await EmulatorTest.StartAsync(new() { Mode = EmulatorMode.Live, EventsPerSecond = 100, TimeProvider = time, Events = Posts() }, token);
        time.Advance(TimeSpan.FromMilliseconds(50));
        await EmulatorTest.WaitUntilAsync(() => server.NextSeq == 6, "5 events are ingested", token);

        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        await client.AssertQuietAsync(TimeSpan.FromMilliseconds(200), token);
        time.Advance(TimeSpan.FromMilliseconds(30));
        var frames = await client.ReceiveDataAsync(3, token);

        Assert.That(frames.Select(f => f.Json["cursor"]!.GetValue<long>()), Is.EqualTo(new long[] { 6, 7, 8 }));
    }

    [TestCase(true, 11)]
    [TestCase(false, 4)]
    public async Task LoopSource_FiniteSource_CyclesOnlyWhenSet(bool loop, long nextSeq, CancellationToken token)
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await EmulatorTest.StartAsync(new() { Mode = EmulatorMode.Live, EventsPerSecond = 10, LoopSource = loop, TimeProvider = time, Events = Posts(3) }, token);

        time.Advance(TimeSpan.FromSeconds(1));
        await EmulatorTest.WaitUntilAsync(() => server.NextSeq >= nextSeq, $"next seq {nextSeq}", token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe?cursor=1", token);
        var rkeys = (await client.ReceiveDataAsync((int)nextSeq - 1, token)).Select(f => f.Json["commit"]!["rkey"]!.GetValue<string>());

        Assert.That(rkeys, Is.EqualTo(Enumerable.Range(0, (int)nextSeq - 1).Select(i => $"p{i % 3}")));
        time.Advance(TimeSpan.FromSeconds(1));
        if (loop)
        {
            await EmulatorTest.WaitUntilAsync(() => server.NextSeq == 21, "ten more", token);
        }
        else
        {
            await client.AssertQuietAsync(TimeSpan.FromMilliseconds(200), token);
            Assert.That(server.NextSeq, Is.EqualTo(4), "a finite source without LoopSource ends");
        }
    }

    [Test]
    public async Task Subscribe_LiveClientThatNeverReads_IsDroppedWithoutACloseFrame(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new() { Mode = EmulatorMode.Live, SlowSubscriberOutbox = 8 }, token);
        await using var client = await WireClient.ConnectAsync(server.Uri, "/subscribe", token);
        var connection = (await server.WaitForConnectionsAsync(1, WireClient.Deadline, token)).Single();
        var big = Enumerable.Range(0, 50).Select(i => TestEvents.Post(new string('x', 64 * 1024), rkey: $"b{i}")).ToArray();

        // Loopback socket buffers hold a few MB; publish until the outbox behind them overflows.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(WireClient.Deadline);
        while (!connection.Ended.IsCompleted)
        {
            server.Publish(big);
            await Task.WhenAny(connection.Ended, Task.Delay(50, deadline.Token));
            deadline.Token.ThrowIfCancellationRequested();
        }

        var (data, error) = await client.ReceiveUntilDroppedAsync(token);

        Assert.That(connection.EndReason, Is.EqualTo("slow subscriber: outbox of 8 events full"));
        Assert.That(connection.ServerCloseStatus, Is.Null);
        Assert.That(error, Is.InstanceOf<WebSocketException>());
        Assert.That(data.Count, Is.LessThan(server.NextSeq - 1), "the client got what was on the wire, not everything");
    }
}
