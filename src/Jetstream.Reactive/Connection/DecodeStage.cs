using System.Collections.Concurrent;
using System.Net.WebSockets;
using Jetstream.Reactive.Buffering;

namespace Jetstream.Reactive.Connection;

/// <summary>
/// Decoding off the socket reader (#16). The reader only receives and copies whole messages into pooled chunks; one
/// consumer on the thread pool decodes and delivers them, in order, chunk by chunk. The reader hands a chunk over when it
/// is full or when the reader is about to wait for the socket, and the consumer is woken only when it is idle, so a
/// burst costs one wake, not one per message. At most <see cref="ChunksInFlight"/> chunks are out at once: a reader
/// ahead of the decoder waits for a free chunk (the decoder never waits on the subscriber, whose buffer drops instead),
/// so the memory between the two stays bounded.
/// </summary>
/// <remarks>
/// Used only with the default socket transport. A custom transport (the emulator's in-memory one, a test's scripted
/// one) keeps decoding on the reader, so a test that drives a <c>TestScheduler</c> still sees every event handed on at
/// the point the message is read: the stage adds a thread, and a thread is not virtual time.
/// </remarks>
internal sealed class DecodeStage : IThreadPoolWorkItem, IDisposable
{
    /// <summary>The most messages in one chunk (bounds how many events one wake of the subscriber's buffer covers).</summary>
    public const int ChunkMessages = 256;

    /// <summary>The bytes of a chunk's array; a larger message gets an array of its own size for one use.</summary>
    public const int ChunkBytes = 256 * 1024;

    /// <summary>The most chunks handed over and not yet decoded, plus the one the reader fills.</summary>
    public const int ChunksInFlight = 4;

    private readonly ReceivedMessageHandler _handler;
    private readonly Action _stopReader;
    private readonly DeliveryBatch _batch = new();
    private readonly ConcurrentQueue<MessageChunk?> _ready = new();
    private readonly ConcurrentQueue<MessageChunk> _free = new();
    private readonly SemaphoreSlim _slots = new(ChunksInFlight, ChunksInFlight);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MessageChunk? _current;
    private int _wip;
    private volatile bool _stopped;
    private Exception? _fault;
    private bool _completing;

    /// <param name="handler">Decodes and delivers one message; false ends the connection at that message.</param>
    /// <param name="stopReader">Called once, on the consumer, when the handler ends the connection or throws: it must end the reader's pending receive.</param>
    public DecodeStage(ReceivedMessageHandler handler, Action stopReader)
    {
        _handler = handler;
        _stopReader = stopReader;
    }

    /// <summary>Whether the consumer ended the connection (the handler returned false or threw); later messages are discarded.</summary>
    public bool Stopped => _stopped;

    /// <summary>What the handler threw, if it did.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Reader: copies a message into the chunk being filled, or says a new chunk is needed first (<see cref="NextChunkAsync"/>).</summary>
    public bool TryAdd(ReadOnlySpan<byte> message, WebSocketMessageType type, long totalBytes, long receivedAt) =>
        _current is { } chunk && chunk.TryAdd(message, type, totalBytes, receivedAt);

    /// <summary>Reader: hands the chunk being filled over, then waits for a free chunk with room for <paramref name="messageLength"/> bytes.</summary>
    public async ValueTask NextChunkAsync(int messageLength)
    {
        Publish();
        if (_current is { } empty)
        {
            // Publish keeps an empty chunk; it is too small for this message.
            empty.Reset(messageLength);
            return;
        }

        await _slots.WaitAsync().ConfigureAwait(false);
        var chunk = _free.TryDequeue(out var reused) ? reused : new MessageChunk(ChunkMessages, ChunkBytes);
        chunk.Reset(messageLength);
        _current = chunk;
    }

    /// <summary>Reader: hands the chunk being filled over, if it holds anything (the reader is about to wait).</summary>
    public void Publish()
    {
        if (_current is { Count: > 0 } chunk)
        {
            _current = null;
            Enqueue(chunk);
        }
    }

    /// <summary>
    /// Reader, once, at the end of the connection: hands over what is left. The task completes when the consumer has
    /// handled (or, once stopped, discarded) every message handed over and returned the chunks' arrays to the pool; it
    /// never faults.
    /// </summary>
    public Task CompleteAsync()
    {
        if (!_completing)
        {
            _completing = true;
            Publish();
            if (_current is { } empty)
            {
                _current = null;
                empty.ReturnBytes();
                _slots.Release();
            }

            Enqueue(null);
        }

        return _finished.Task;
    }

    /// <summary>After <see cref="CompleteAsync"/> has completed.</summary>
    public void Dispose() => _slots.Dispose();

    /// <inheritdoc />
    public void Execute()
    {
        var missed = 1;
        while (true)
        {
            while (_ready.TryDequeue(out var chunk))
            {
                if (chunk is null)
                {
                    while (_free.TryDequeue(out var spare))
                    {
                        spare.ReturnBytes();
                    }

                    _finished.TrySetResult();
                    continue;
                }

                Run(chunk);
                chunk.Recycle();
                _free.Enqueue(chunk);
                _slots.Release();
            }

            missed = Interlocked.Add(ref _wip, -missed);
            if (missed == 0)
            {
                return;
            }
        }
    }

    private void Enqueue(MessageChunk? chunk)
    {
        _ready.Enqueue(chunk);
        if (Interlocked.Increment(ref _wip) == 1)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private void Run(MessageChunk chunk)
    {
        if (_stopped)
        {
            return;
        }

        // One wake of the subscriber's buffer per chunk (DeliveryBatch), however many events it queued.
        _batch.Enter();
        try
        {
            for (var i = 0; i < chunk.Count; i++)
            {
                if (!chunk.Deliver(i, _handler))
                {
                    Stop(null);
                    return;
                }
            }
        }
#pragma warning disable CA1031 // On the reader this ended the attempt through its catch; here it is carried back to the reader.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Stop(ex);
        }
        finally
        {
            _batch.Exit();
        }
    }

    private void Stop(Exception? fault)
    {
        Volatile.Write(ref _fault, fault);
        _stopped = true;
        _stopReader();
    }
}
