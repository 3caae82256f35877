using System.Buffers;
using System.Net.WebSockets;

namespace Jetstream.Reactive.Connection;

/// <summary>
/// Whole messages copied out of the reader's receive buffer, in order, for <see cref="DecodeStage"/>: one pooled byte
/// array and a fixed table of entries, reused from chunk to chunk so the hand-off allocates nothing per message.
/// </summary>
internal sealed class MessageChunk
{
    private readonly Entry[] _entries;
    private readonly int _standardBytes;
    private byte[]? _bytes;
    private int _used;

    public MessageChunk(int messages, int standardBytes)
    {
        _entries = new Entry[messages];
        _standardBytes = standardBytes;
    }

    /// <summary>The messages held.</summary>
    public int Count { get; private set; }

    /// <summary>Makes the chunk empty, with room for at least one message of <paramref name="minBytes"/>.</summary>
    public void Reset(int minBytes)
    {
        Count = 0;
        _used = 0;
        if (_bytes is null || _bytes.Length < minBytes)
        {
            ReturnBytes();
            _bytes = ArrayPool<byte>.Shared.Rent(Math.Max(minBytes, _standardBytes));
        }
    }

    /// <summary>Copies a message in, or says there is no room for it (then nothing changed).</summary>
    public bool TryAdd(ReadOnlySpan<byte> message, WebSocketMessageType type, long totalBytes, long receivedAt)
    {
        var bytes = _bytes!;
        if (Count == _entries.Length || message.Length > bytes.Length - _used)
        {
            return false;
        }

        message.CopyTo(bytes.AsSpan(_used));
        _entries[Count++] = new Entry(_used, message.Length, totalBytes, receivedAt, type);
        _used += message.Length;
        return true;
    }

    /// <summary>Hands message <paramref name="index"/> to <paramref name="handler"/>.</summary>
    public bool Deliver(int index, ReceivedMessageHandler handler)
    {
        var entry = _entries[index];
        return handler(_bytes.AsSpan(entry.Offset, entry.Length), entry.Type, entry.TotalBytes, entry.ReceivedAt);
    }

    /// <summary>After use: an array grown for one large message goes back to the pool rather than stay with the chunk.</summary>
    public void Recycle()
    {
        Count = 0;
        _used = 0;
        if (_bytes is { } bytes && bytes.Length > _standardBytes)
        {
            ReturnBytes();
        }
    }

    /// <summary>Returns the chunk's array to the pool (the stage is finished).</summary>
    public void ReturnBytes()
    {
        if (_bytes is { } bytes)
        {
            _bytes = null;
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private readonly record struct Entry(int Offset, int Length, long TotalBytes, long ReceivedAt, WebSocketMessageType Type);
}
