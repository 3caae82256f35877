using System.Net.WebSockets;
using System.Text;
using Jetstream.Reactive.Connection;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Connection;

/// <summary>
/// #16: the stage that decodes off the socket reader. The reader copies whole messages into chunks; one consumer on
/// the thread pool handles them in order, none lost, none twice; the reader waits when the consumer is a few chunks
/// behind; a stop (an overflow pause, a v2 error frame, a throw) ends the reader and discards what was read after.
/// These run the real thread-pool consumer: each waits for an outcome under a generous deadline, never for a time.
/// </summary>
public sealed class DecodeStageTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test]
    public async Task CompleteAsync_MessagesOverManyChunks_HandlesEachOnceInOrder()
    {
        var handled = new List<string>();
        var stops = 0;
        using var stage = new DecodeStage(Recording(handled), () => Interlocked.Increment(ref stops));
        var sent = Enumerable.Range(0, 2_000).Select(i => $"message {i}").ToList();

        foreach (var message in sent)
        {
            await AddAsync(stage, message);
            if (message.EndsWith('7'))
            {
                stage.Publish(); // as the reader does before it waits for the socket
            }
        }

        await stage.CompleteAsync().WaitAsync(Deadline);

        Assert.That(handled, Is.EqualTo(sent));
        Assert.That(stops, Is.Zero);
        Assert.That(stage.Stopped, Is.False);
    }

    [Test]
    public async Task TryAdd_MessageLargerThanAChunk_ArrivesWhole()
    {
        var handled = new List<string>();
        using var stage = new DecodeStage(Recording(handled), () => { });
        var large = new string('x', DecodeStage.ChunkBytes * 3) + "end";

        await AddAsync(stage, "before");
        await AddAsync(stage, large);
        await AddAsync(stage, "after");
        await stage.CompleteAsync().WaitAsync(Deadline);

        Assert.That(handled, Is.EqualTo(new[] { "before", large, "after" }));
    }

    [Test]
    public async Task NextChunkAsync_ConsumerSeveralChunksBehind_ReaderWaitsUntilOneIsFree()
    {
        using var gate = new ManualResetEventSlim();
        var handled = 0;
        using var stage = new DecodeStage((_, _, _, _) =>
        {
            gate.Wait(Deadline);
            Interlocked.Increment(ref handled);
            return true;
        }, () => { });

        // Every chunk the stage may have out is handed over (one message each); the consumer is stuck on the first.
        for (var i = 0; i < DecodeStage.ChunksInFlight; i++)
        {
            await AddAsync(stage, $"m{i}");
            stage.Publish();
        }

        var fifth = stage.NextChunkAsync(2).AsTask();
        Assert.That(fifth.IsCompleted, Is.False, "the reader must wait: the memory between reader and decoder is bounded");

        gate.Set();
        await fifth.WaitAsync(Deadline);
        Assert.That(stage.TryAdd("m4"u8, WebSocketMessageType.Text, 2, 0), Is.True);
        await stage.CompleteAsync().WaitAsync(Deadline);
        Assert.That(handled, Is.EqualTo(DecodeStage.ChunksInFlight + 1));
    }

    [Test]
    public async Task Execute_HandlerEndsTheConnection_StopsTheReaderOnceAndDiscardsTheRest()
    {
        var handled = new List<string>();
        var stops = 0;
        using var stage = new DecodeStage((bytes, _, _, _) =>
        {
            var text = Encoding.UTF8.GetString(bytes);
            handled.Add(text);
            return text != "m2";
        }, () => Interlocked.Increment(ref stops));

        for (var i = 0; i < 5; i++)
        {
            await AddAsync(stage, $"m{i}");
            stage.Publish();
        }

        await stage.CompleteAsync().WaitAsync(Deadline);

        Assert.That(handled, Is.EqualTo(new[] { "m0", "m1", "m2" }));
        Assert.That(stops, Is.EqualTo(1));
        Assert.That(stage.Stopped, Is.True);
        Assert.That(stage.Fault, Is.Null);
    }

    [Test]
    public async Task Execute_HandlerThrows_CarriesTheExceptionBackAndStops()
    {
        var handled = new List<string>();
        var stops = 0;
        var boom = new InvalidOperationException("the subscriber threw");
        using var stage = new DecodeStage((bytes, _, _, _) =>
        {
            var text = Encoding.UTF8.GetString(bytes);
            handled.Add(text);
            return text == "m1" ? throw boom : true;
        }, () => Interlocked.Increment(ref stops));

        for (var i = 0; i < 4; i++)
        {
            await AddAsync(stage, $"m{i}");
        }

        await stage.CompleteAsync().WaitAsync(Deadline);

        Assert.That(handled, Is.EqualTo(new[] { "m0", "m1" }));
        Assert.That(stage.Fault, Is.SameAs(boom));
        Assert.That(stops, Is.EqualTo(1));
    }

    [Test]
    public async Task CompleteAsync_NothingHandedOver_Completes()
    {
        using var stage = new DecodeStage((_, _, _, _) => true, () => { });

        await stage.CompleteAsync().WaitAsync(Deadline);

        Assert.That(stage.Stopped, Is.False);
    }

    private static ReceivedMessageHandler Recording(List<string> handled) => (bytes, type, total, _) =>
    {
        Assert.That(type, Is.EqualTo(WebSocketMessageType.Text));
        Assert.That(total, Is.EqualTo(bytes.Length));
        handled.Add(Encoding.UTF8.GetString(bytes));
        return true;
    };

    /// <summary>What the reader does per message: into the chunk being filled, or a fresh one when it is full.</summary>
    private static async Task AddAsync(DecodeStage stage, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        if (!stage.TryAdd(bytes, WebSocketMessageType.Text, bytes.Length, 0))
        {
            await stage.NextChunkAsync(bytes.Length);
            Assert.That(stage.TryAdd(bytes, WebSocketMessageType.Text, bytes.Length, 0), Is.True, "a fresh chunk has room");
        }
    }
}
