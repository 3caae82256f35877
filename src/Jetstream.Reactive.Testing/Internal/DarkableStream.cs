namespace Jetstream.Reactive.Testing.Internal;

/// <summary>
/// The server side of one upgraded connection, able to "go dark" like a peer behind a silent network partition: from
/// then on nothing more is written (no data, no pings, no pongs) and what arrives is read off the wire and ignored (so
/// the client's pings go unanswered), yet the TCP connection stays open until the client closes it.
/// </summary>
internal sealed class DarkableStream(Stream inner) : Stream
{
    private readonly TaskCompletionSource _gone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _dark;
    private int _disposed;

    public bool IsDark => _dark;

    /// <summary>
    /// Called when the WebSocket disposes this stream (not dark): the runtime's own abort, such as its keep-alive timing
    /// out, only disposes the stream, which does not end a pending read of an upgraded Kestrel connection.
    /// </summary>
    public Action? Disposed { get; set; }

    /// <summary>Completes when, dark, the client has closed the connection.</summary>
    public Task Gone => _gone.Task;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void GoDark() => _dark = true;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            int read;
            try
            {
                // Dark, the read outlives the WebSocket's own abort: only the client's close ends it.
                read = await inner.ReadAsync(buffer, _dark ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (_dark)
            {
                _gone.TrySetResult();
                return 0;
            }

            if (!_dark)
            {
                return read;
            }

            if (read == 0)
            {
                _gone.TrySetResult();
                return 0;
            }

            // Dark: the client's pings (and anything else) are swallowed unanswered.
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _dark ? ValueTask.CompletedTask : inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _dark ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

    public override void Flush()
    {
        if (!_dark)
        {
            inner.Flush();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Closes the connection now, even dark (the handler ends).</summary>
    public ValueTask CloseAsync()
    {
        _gone.TrySetResult();
        return Interlocked.Exchange(ref _disposed, 1) == 0 ? inner.DisposeAsync() : ValueTask.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        // Dark, the WebSocket's own abort (its keep-alive timing out) must not close TCP: the client would notice.
        if (disposing && !_dark && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            inner.Dispose();
            Disposed?.Invoke();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_dark && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
