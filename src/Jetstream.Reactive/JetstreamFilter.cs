namespace Jetstream.Reactive;

/// <summary>
/// A new filter for a running stream, pushed through <see cref="JetstreamOptions.FilterUpdates"/>. It replaces both
/// lists: an empty list means everything on that axis. The same rules as <see cref="JetstreamOptions.WantedCollections"/>
/// and <see cref="JetstreamOptions.WantedDids"/> apply; an invalid filter is reported and ignored.
/// </summary>
public sealed record JetstreamFilter
{
    /// <summary>Collections to receive commits for (full NSIDs or <c>prefix.*</c>). Default empty: all.</summary>
    public IReadOnlyList<string> WantedCollections { get; init; } = [];

    /// <summary>Repositories to receive events for, as DIDs. Default empty: all.</summary>
    public IReadOnlyList<string> WantedDids { get; init; } = [];
}
