namespace Jetstream.Reactive;

/// <summary>
/// An account status change (<c>"kind":"account"</c>). Delivered whatever
/// <see cref="JetstreamOptions.WantedCollections"/> says; an inactive account is the signal to purge its data.
/// </summary>
public sealed class AccountEvent : JetstreamEvent
{
    /// <summary>Creates an account event.</summary>
    /// <param name="did">The DID.</param>
    /// <param name="timeUs">The Jetstream timestamp in microseconds.</param>
    /// <param name="active">Whether the account is active.</param>
    /// <param name="status">The status when inactive, such as <c>deactivated</c> or <c>takendown</c>.</param>
    /// <param name="seq">The upstream relay's sequence number.</param>
    /// <param name="time">The upstream relay's timestamp.</param>
    /// <param name="serverCursor">The server's sequence number, if it sent one.</param>
    public AccountEvent(string did, long timeUs, bool active, string? status, long seq, DateTimeOffset time, long? serverCursor = null)
        : base(did, timeUs, serverCursor)
    {
        Active = active;
        Status = status;
        Seq = seq;
        Time = time;
    }

    /// <summary>Whether the account is active (<c>account.active</c>).</summary>
    public bool Active { get; }

    /// <summary>
    /// The status (<c>account.status</c>), normally present when inactive. Known values: <c>takendown</c>,
    /// <c>suspended</c>, <c>deleted</c>, <c>deactivated</c>, <c>desynchronized</c>, <c>throttled</c>; treat the set as open.
    /// </summary>
    public string? Status { get; }

    /// <summary>The upstream relay's sequence number (<c>account.seq</c>); not a Jetstream cursor.</summary>
    public long Seq { get; }

    /// <summary>The upstream relay's timestamp (<c>account.time</c>).</summary>
    public DateTimeOffset Time { get; }

    /// <inheritdoc />
    public override JetstreamEventKind Kind => JetstreamEventKind.Account;

    private AccountEvent(AccountEvent source, EventOrigin origin, ReadOnlyMemory<byte> rawJson)
        : base(source, origin, rawJson)
    {
        Active = source.Active;
        Status = source.Status;
        Seq = source.Seq;
        Time = source.Time;
    }

    /// <inheritdoc />
    internal override JetstreamEvent WithOrigin(EventOrigin origin, ReadOnlyMemory<byte> rawJson) => new AccountEvent(this, origin, rawJson);

    /// <inheritdoc />
    public override string ToString() => $"account {Did} active={Active} status={Status ?? "(none)"} time_us={TimeUs}";
}
