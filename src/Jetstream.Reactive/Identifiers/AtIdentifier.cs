namespace Jetstream.Reactive.Identifiers;

/// <summary>
/// The atproto identifier rules the client applies to its options and filters (NSIDs, DIDs, collection filters), for
/// sibling packages and applications that must agree with it, such as the Jetstream.Reactive.Testing emulator.
/// </summary>
public static class AtIdentifier
{
    /// <summary>Whether <paramref name="value"/> is a full NSID: at least three dot-separated segments, the domain ones of letters, digits and hyphens, the name of letters and digits, 317 characters at most.</summary>
    /// <param name="value">The text to check; <see langword="null"/> is not an NSID.</param>
    /// <returns><see langword="true"/> when it is an NSID.</returns>
    public static bool IsNsid(string? value) => Nsid.IsValid(value);

    /// <summary>Whether <paramref name="value"/> is a DID (<c>did:method:identifier</c>, 2048 characters at most).</summary>
    /// <param name="value">The text to check; <see langword="null"/> is not a DID.</param>
    /// <returns><see langword="true"/> when it is a DID.</returns>
    public static bool IsDid(string? value) => Did.IsValid(value);

    /// <summary>
    /// Whether <paramref name="value"/> is a collection filter the <paramref name="protocol"/> server accepts: a full
    /// NSID or a <c>prefix.*</c> pattern; on v2 the prefix followed by <c>.x</c> must itself be an NSID.
    /// </summary>
    /// <param name="value">The filter to check.</param>
    /// <param name="protocol">The protocol whose rule applies.</param>
    /// <returns><see langword="true"/> when the server accepts it.</returns>
    public static bool IsCollectionFilter(string? value, JetstreamProtocol protocol) =>
        protocol == JetstreamProtocol.V2 ? Nsid.IsValidV2Filter(value) : Nsid.IsValidFilter(value);
}
