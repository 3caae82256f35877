namespace Jetstream.Reactive.Buffering;

/// <summary>
/// What the reader drops in place of an event that found the buffer full and was never built (#16: drop before decode):
/// only the header that the cursor checks, the resume position and the drop counts read (kind, <c>time_us</c>, the
/// server's cursor). It goes to the buffer's drop accounting, never to a subscriber.
/// </summary>
internal sealed class UndecodedEvent : JetstreamEvent
{
    private readonly JetstreamEventKind _kind;

    public UndecodedEvent(JetstreamEventKind kind, long timeUs, long? serverCursor)
        : base(string.Empty, timeUs, serverCursor) => _kind = kind;

    /// <inheritdoc />
    public override JetstreamEventKind Kind => _kind;

    /// <inheritdoc />
    internal override JetstreamEvent WithOrigin(EventOrigin origin, ReadOnlyMemory<byte> rawJson) => this;
}
