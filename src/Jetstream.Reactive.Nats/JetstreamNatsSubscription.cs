namespace Jetstream.Reactive.Nats;

/// <summary>One worker on a NATS consumer: dispose it to stop (the running handler's token is cancelled and its message is left unacknowledged, so it is delivered again).</summary>
public sealed class JetstreamNatsSubscription : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private long _handled;
    private long _failed;

    internal JetstreamNatsSubscription()
    {
    }

    /// <summary>Messages handled and acknowledged.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>Messages whose handler failed (nak'ed or terminated).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Ends when the worker stops: normally after <see cref="Dispose"/>, faulted on a terminal error.</summary>
    public Task Completion { get; internal set; } = Task.CompletedTask;

    internal CancellationToken Token => _stop.Token;

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped.
        }
    }

    internal void CountHandled() => Interlocked.Increment(ref _handled);

    internal void CountFailed() => Interlocked.Increment(ref _failed);
}
