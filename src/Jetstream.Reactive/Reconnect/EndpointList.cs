namespace Jetstream.Reactive.Reconnect;

/// <summary>
/// The hosts a stream connects to, in order: <see cref="JetstreamOptions.Endpoints"/>, else
/// <see cref="JetstreamOptions.Endpoint"/> (the v2 default host when v2 leaves it at the v1-only default).
/// </summary>
internal static class EndpointList
{
    public static IReadOnlyList<Uri> Resolve(JetstreamOptions options) =>
        options.Endpoints is { Count: > 0 } endpoints
            ? endpoints
            : [options.Protocol == JetstreamProtocol.V2 && options.Endpoint == JetstreamOptions.DefaultEndpoint ? JetstreamOptions.DefaultV2Endpoint : options.Endpoint];
}
