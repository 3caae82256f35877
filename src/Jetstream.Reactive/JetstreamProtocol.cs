namespace Jetstream.Reactive;

/// <summary>Which Jetstream wire protocol to speak (<see cref="JetstreamOptions.Protocol"/>).</summary>
public enum JetstreamProtocol
{
    /// <summary>
    /// v1 on <c>/subscribe</c>: one bare JSON event per frame, cursors in unix microseconds (or the newer server's
    /// sequence numbers). Served by every public host.
    /// </summary>
    V1,

    /// <summary>
    /// v2 on <c>/xrpc/network.bsky.jetstream.subscribeEvents</c> (subprotocol <c>xrpc.v1.json</c>): <c>$type</c>
    /// envelopes, sequence-number cursors, <c>sync</c> events and server notices. Served only by the newer server, such
    /// as <see cref="JetstreamOptions.DefaultV2Endpoint"/>.
    /// </summary>
    V2,
}
