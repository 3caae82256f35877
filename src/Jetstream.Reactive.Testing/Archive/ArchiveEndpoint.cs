namespace Jetstream.Reactive.Testing.Archive;

/// <summary>The emulator's archive endpoints, for aiming faults.</summary>
public enum ArchiveEndpoint
{
    /// <summary><c>network.bsky.jetstream.planSnapshot</c> (POST).</summary>
    PlanSnapshot,

    /// <summary><c>network.bsky.jetstream.getSegment</c> (GET).</summary>
    GetSegment,

    /// <summary><c>network.bsky.jetstream.getBlock</c> (GET).</summary>
    GetBlock,

    /// <summary><c>network.bsky.jetstream.listSegments</c> (GET).</summary>
    ListSegments,
}
