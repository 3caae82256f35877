using System.Net.WebSockets;

namespace Jetstream.Reactive.Transport;

/// <summary>
/// Opens one WebSocket connection for one attempt. The default is <see cref="ClientWebSocketTransport"/>; tests replace it
/// with a scripted <see cref="WebSocket"/> so that the whole client runs in virtual time.
/// </summary>
public interface IJetstreamTransport
{
    /// <summary>Opens a connection. The caller owns and disposes the returned socket.</summary>
    /// <param name="request">The URL, subprotocols and headers.</param>
    /// <param name="cancellationToken">Cancelled when the attempt is abandoned (dispose, idle timeout).</param>
    /// <returns>An open WebSocket.</returns>
    /// <exception cref="JetstreamHandshakeException">The server answered the upgrade with another HTTP status.</exception>
    Task<WebSocket> ConnectAsync(JetstreamConnectRequest request, CancellationToken cancellationToken);
}
