namespace Jetstream.Reactive.Internal;

/// <summary>The hosts a stream connects to, in order, from <see cref="JetstreamOptions.Endpoint"/>.</summary>
internal static class EndpointList
{
    public static IReadOnlyList<Uri> Resolve(JetstreamOptions options) =>
        [options.Protocol == JetstreamProtocol.V2 && options.Endpoint == JetstreamOptions.DefaultEndpoint ? JetstreamOptions.DefaultV2Endpoint : options.Endpoint];
}
