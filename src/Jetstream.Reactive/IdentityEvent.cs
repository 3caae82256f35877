namespace Jetstream.Reactive;

/// <summary>
/// An identity change for a DID (<c>"kind":"identity"</c>): refresh the DID document and handle cache. Delivered
/// whatever <see cref="JetstreamOptions.WantedCollections"/> says.
/// </summary>
public sealed class IdentityEvent : JetstreamEvent
{
    /// <summary>Creates an identity event.</summary>
    /// <param name="did">The DID.</param>
    /// <param name="timeUs">The Jetstream timestamp in microseconds.</param>
    /// <param name="seq">The upstream relay's sequence number.</param>
    /// <param name="time">The upstream relay's timestamp.</param>
    /// <param name="handle">The handle, when the relay sent one.</param>
    /// <param name="serverCursor">The server's sequence number, if it sent one.</param>
    public IdentityEvent(string did, long timeUs, long seq, DateTimeOffset time, string? handle, long? serverCursor = null)
        : base(did, timeUs, serverCursor)
    {
        Seq = seq;
        Time = time;
        Handle = handle;
    }

    /// <summary>The handle (<c>identity.handle</c>); often absent, and may be <c>handle.invalid</c>.</summary>
    public string? Handle { get; }

    /// <summary>The upstream relay's sequence number (<c>identity.seq</c>); not a Jetstream cursor.</summary>
    public long Seq { get; }

    /// <summary>The upstream relay's timestamp (<c>identity.time</c>).</summary>
    public DateTimeOffset Time { get; }

    /// <inheritdoc />
    public override JetstreamEventKind Kind => JetstreamEventKind.Identity;

    private IdentityEvent(IdentityEvent source, EventOrigin origin, ReadOnlyMemory<byte> rawJson)
        : base(source, origin, rawJson)
    {
        Seq = source.Seq;
        Time = source.Time;
        Handle = source.Handle;
    }

    /// <inheritdoc />
    internal override JetstreamEvent WithOrigin(EventOrigin origin, ReadOnlyMemory<byte> rawJson) => new IdentityEvent(this, origin, rawJson);

    /// <inheritdoc />
    public override string ToString() => $"identity {Did} handle={Handle ?? "(none)"} time_us={TimeUs}";
}
