namespace Jetstream.Reactive.Testing.Archive;

/// <summary>One row to store in a <c>.jss</c> segment, in its on-disk shape.</summary>
/// <param name="Seq">The Jetstream seq (rising within a segment).</param>
/// <param name="WitnessedAt">When the instance first saw the event, unix microseconds.</param>
/// <param name="IndexedAt">An imported display time, unix microseconds; 0 when not set.</param>
/// <param name="Kind">The kind byte: 1 create, 2 update, 3 delete, 4 identity, 5 account, 6 sync, 7 resync create.</param>
/// <param name="Did">The repo DID.</param>
/// <param name="Collection">The NSID for commit rows; empty for markers.</param>
/// <param name="RKey">The record key for commit rows; empty for markers.</param>
/// <param name="Rev">The commit rev (or the sync rev); empty for identity and account rows.</param>
/// <param name="Payload">The record's DAG-CBOR (create, update), the upstream body's DAG-CBOR (markers), or empty (delete).</param>
public sealed record JssArchiveRow(
    long Seq,
    long WitnessedAt,
    long IndexedAt,
    byte Kind,
    string Did,
    string Collection,
    string RKey,
    string Rev,
    ReadOnlyMemory<byte> Payload)
{
    /// <summary>Whether the row is a commit (kinds 1, 2, 3, 7).</summary>
    public bool IsCommit => Kind is 1 or 2 or 3 or 7;
}
