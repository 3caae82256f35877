namespace Jetstream.Reactive.Archive;

/// <summary>One stored row: fixed columns plus where its byte strings lie in the decompressed block body.</summary>
internal readonly record struct JssRow(
    ulong Seq,
    long WitnessedAt,
    long IndexedAt,
    JssRowKind Kind,
    int CollectionStart,
    int CollectionLength,
    int DidStart,
    int DidLength,
    int RKeyStart,
    int RKeyLength,
    int RevStart,
    int RevLength,
    int PayloadStart,
    int PayloadLength)
{
    /// <summary>The display time: an operator's imported <c>indexed_at</c> wins over the witnessed time.</summary>
    public long TimeUs => IndexedAt != 0 ? IndexedAt : WitnessedAt;

    public bool IsCommit => Kind is JssRowKind.Create or JssRowKind.Update or JssRowKind.Delete or JssRowKind.CreateResync;
}
