namespace Jetstream.Reactive.Transport;

/// <summary>What to connect to: the full <c>ws</c>/<c>wss</c> URL with its query, subprotocols to offer, and extra headers.</summary>
/// <param name="Uri">The full URL, query included.</param>
/// <param name="SubProtocols">WebSocket subprotocols to offer, in order of preference; empty for none.</param>
/// <param name="Headers">Extra request headers, such as <c>User-Agent</c>.</param>
public sealed record JetstreamConnectRequest(Uri Uri, IReadOnlyList<string> SubProtocols, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>
    /// How often to ping the server (<see cref="JetstreamOptions.KeepAliveInterval"/>), or <see langword="null"/> for the
    /// transport's own default; <see cref="Timeout.InfiniteTimeSpan"/> for no pings.
    /// </summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>
    /// How long to wait for each pong before the connection is aborted as dead (<see cref="JetstreamOptions.KeepAliveTimeout"/>),
    /// or <see langword="null"/> for the transport's own default; <see cref="Timeout.InfiniteTimeSpan"/> to not wait.
    /// </summary>
    public TimeSpan? KeepAliveTimeout { get; init; }
}
