using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;

namespace Jetstream.Reactive.Transport;

/// <summary>
/// Assembles one message from its fragments into a pooled buffer that grows up to the size limit. The bytes of a
/// message over the limit are read and thrown away, so the connection stays usable.
/// </summary>
internal sealed class MessageAssembler : IDisposable
{
    private const int InitialBufferSize = 64 * 1024;
    private const int DiscardBufferSize = 16 * 1024;

    private readonly int _max;
    private byte[] _buffer;
    private byte[]? _discard;

    public MessageAssembler(int max)
    {
        _max = max;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, max));
    }

    public ReadOnlySpan<byte> Span(int length) => _buffer.AsSpan(0, length);

    /// <param name="socket">The socket to read.</param>
    /// <param name="onFragment">
    /// Called after each fragment but the last: a large message arriving slowly is still activity (the caller marks the
    /// message's end itself, so a single-fragment message, the usual case, costs no callback).
    /// </param>
    /// <param name="token">Cancels the read (<see cref="CancellationToken.None"/> for a socket that is aborted instead).</param>
    public async ValueTask<AssembledMessage> ReceiveAsync(WebSocket socket, Action onFragment, CancellationToken token)
    {
        var length = 0;
        long total = 0;
        var tooLarge = false;
        while (true)
        {
            Memory<byte> target;
            if (tooLarge || length == _max)
            {
                // At the limit: read into scratch space; any byte that arrives there makes the message too large.
                _discard ??= ArrayPool<byte>.Shared.Rent(DiscardBufferSize);
                target = _discard;
            }
            else
            {
                if (length == _buffer.Length)
                {
                    Grow(length);
                }

                target = _buffer.AsMemory(length, Math.Min(_buffer.Length, _max) - length);
            }

            var result = await socket.ReceiveAsync(target, token).ConfigureAwait(false);
            if (!result.EndOfMessage)
            {
                onFragment();
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new AssembledMessage(WebSocketMessageType.Close, 0, total, false);
            }

            total += result.Count;
            if (tooLarge || length == _max)
            {
                tooLarge |= result.Count > 0;
            }
            else
            {
                length += result.Count;
            }

            if (result.EndOfMessage)
            {
                return new AssembledMessage(result.MessageType, tooLarge ? 0 : length, total, tooLarge);
            }
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        if (_discard is not null)
        {
            ArrayPool<byte>.Shared.Return(_discard);
        }
    }

    private void Grow(int length)
    {
        var size = (int)Math.Min((long)_buffer.Length * 2, _max);
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
        Debug.Assert(_buffer.Length > length, "the buffer grows while below the limit");
    }
}
