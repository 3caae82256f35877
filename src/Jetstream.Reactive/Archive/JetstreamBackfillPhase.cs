namespace Jetstream.Reactive.Archive;

/// <summary>Where a backfill stream is.</summary>
public enum JetstreamBackfillPhase
{
    /// <summary>Asking the server which sealed segments and blocks hold matching rows.</summary>
    Planning,

    /// <summary>Downloading and replaying sealed history in seq order.</summary>
    Downloading,

    /// <summary>History is replayed; events come from the live socket, from the cutover seq on.</summary>
    Live,

    /// <summary>A snapshot-only run delivered the whole sealed range and ended.</summary>
    Completed,
}
