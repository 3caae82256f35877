namespace Jetstream.Reactive.Archive;

/// <summary>The kind byte of a stored row.</summary>
internal enum JssRowKind : byte
{
    Create = 1,
    Update = 2,
    Delete = 3,
    Identity = 4,
    Account = 5,
    Sync = 6,

    // A Sync 1.1 replacement record: shown on v2 as an ordinary create.
    CreateResync = 7,
}
