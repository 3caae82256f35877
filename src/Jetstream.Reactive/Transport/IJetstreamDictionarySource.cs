namespace Jetstream.Reactive.Transport;

/// <summary>
/// Downloads v2 zstd dictionaries (<c>GET /xrpc/network.bsky.jetstream.getZstdDictionary</c>). The default is
/// <see cref="ClientWebSocketTransport"/>; tests replace it with scripted answers.
/// </summary>
public interface IJetstreamDictionarySource
{
    /// <summary>
    /// Fetches the body of <paramref name="uri"/>: <c>http(s)://host/xrpc/network.bsky.jetstream.getZstdDictionary</c>,
    /// with <c>?id=N</c> when a particular dictionary is wanted. The client checks what comes back (a structured zstd
    /// dictionary with the expected ID), so an implementation only has to return the body of a successful response, and
    /// should refuse bodies larger than <see cref="Compression.JetstreamZstdDictionaries.MaxSize"/>.
    /// </summary>
    /// <param name="uri">The dictionary URL on the same host as the WebSocket.</param>
    /// <param name="cancellationToken">Cancelled when the connection attempt is abandoned (dispose, idle timeout).</param>
    /// <returns>The response body.</returns>
    /// <exception cref="Exception">Any failure: a status other than 200, a network error, a body that is too large.</exception>
    Task<byte[]> GetZstdDictionaryAsync(Uri uri, CancellationToken cancellationToken);
}
