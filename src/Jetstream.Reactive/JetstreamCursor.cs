namespace Jetstream.Reactive;

/// <summary>
/// A saved position in a Jetstream stream, with what is needed to use it safely: the protocol and host it came from,
/// and the event's <c>time_us</c> (portable across hosts, unlike a sequence number).
/// </summary>
/// <param name="Value">The value to send as <c>cursor</c>: <see cref="JetstreamEvent.Cursor"/> of the last event handled.</param>
/// <param name="IsSequence">Whether <see cref="Value"/> is a server sequence number (true) or a <c>time_us</c> (false).</param>
/// <param name="TimeUs">The event's <c>time_us</c>: the fallback when resuming on another host.</param>
/// <param name="Protocol">The protocol the cursor belongs to; a cursor is never sent to the other protocol.</param>
/// <param name="Host">The host (authority) the events came from, such as <c>jetstream2.us-east.bsky.network</c>.</param>
public sealed record JetstreamCursor(long Value, bool IsSequence, long TimeUs, JetstreamProtocol Protocol, string Host)
{
    /// <summary>The cursor of <paramref name="e"/>, delivered by <paramref name="host"/> over <paramref name="protocol"/>.</summary>
    /// <param name="e">The event.</param>
    /// <param name="protocol">The protocol.</param>
    /// <param name="host">The host's authority.</param>
    /// <returns>The cursor.</returns>
    public static JetstreamCursor Of(JetstreamEvent e, JetstreamProtocol protocol, string host)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(host);
        return new JetstreamCursor(e.Cursor, e.ServerCursor is not null, e.TimeUs, protocol, host);
    }
}
