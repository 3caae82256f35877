namespace Jetstream.Reactive.Testing.Internal;

/// <summary>
/// Whether a request's <c>Origin</c> may connect: no Origin (not a browser), a loopback origin, or one of the allowed.
/// Browsers let any web page open a WebSocket to 127.0.0.1 and send its own origin; refusing foreign origins keeps a
/// page the user visits from using (or flooding) a local emulator.
/// </summary>
internal static class OriginCheck
{
    public static bool Allowed(IReadOnlyDictionary<string, string> headers, IReadOnlyList<string> allowed)
    {
        if (!headers.TryGetValue("Origin", out var origin) || string.IsNullOrEmpty(origin))
        {
            return true;
        }

        if (allowed.Any(a => string.Equals(a.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && (uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase));
    }
}
