namespace Jetstream.Reactive.Transport;

/// <summary>What to connect to: the full <c>ws</c>/<c>wss</c> URL with its query, subprotocols to offer, and extra headers.</summary>
/// <param name="Uri">The full URL, query included.</param>
/// <param name="SubProtocols">WebSocket subprotocols to offer, in order of preference; empty for none.</param>
/// <param name="Headers">Extra request headers, such as <c>User-Agent</c>.</param>
public sealed record JetstreamConnectRequest(Uri Uri, IReadOnlyList<string> SubProtocols, IReadOnlyDictionary<string, string> Headers);
