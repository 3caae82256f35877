namespace Jetstream.Reactive.Testing;

/// <summary>How the server plays its event source.</summary>
public enum EmulatorMode
{
    /// <summary>
    /// Every source event is ingested at start, so the source must be finite. A connection without a cursor receives the whole log from the oldest
    /// retained event, as fast as its socket drains, then waits for events added with <see cref="JetstreamTestServer.Publish(string[])"/>.
    /// </summary>
    Replay,

    /// <summary>
    /// Source events are ingested at <see cref="JetstreamTestServerOptions.EventsPerSecond"/> on the server's
    /// <see cref="TimeProvider"/>, like a live firehose. A connection without a cursor starts at the live tail.
    /// </summary>
    Live,
}

/// <summary>Which server software the <c>/subscribe</c> endpoint behaves like (PROTOCOL §3.10).</summary>
public enum ServerFlavor
{
    /// <summary>
    /// The newer server (the v2 codebase's v1-compatible endpoint): frames carry the top-level <c>cursor</c> (seq); a
    /// cursor below 10^15 is a seq; bad <c>options_update</c> messages close with 1007 or 1008; <c>maxMessageSizeBytes</c>
    /// works; pongs are required within 5 s; 400 texts start with <c>subscribe:</c>.
    /// </summary>
    Current,

    /// <summary>
    /// The original Go server: no <c>cursor</c> field, the cursor is always a <c>time_us</c>; bad <c>options_update</c>
    /// messages close with 1000 and a reason; <c>maxMessageSizeBytes</c> is ignored; 400 texts start with
    /// <c>invalid subscriber options</c>.
    /// </summary>
    Legacy,
}

/// <summary>The endpoint a connection used.</summary>
public enum EmulatorEndpoint
{
    /// <summary>v1 <c>/subscribe</c>.</summary>
    Subscribe,

    /// <summary>v2 <c>/xrpc/network.bsky.jetstream.subscribeEvents</c>.</summary>
    SubscribeEvents,
}
