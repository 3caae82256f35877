namespace Jetstream.Reactive.Archive;

/// <summary>The decoded contents of one archive block: its events in stored (seq) order and the rows that failed.</summary>
/// <param name="Events">The rows that passed the filter and decoded, as the same events the v2 live socket produces.</param>
/// <param name="Errors">Rows that passed the filter but could not be converted; each is reported, none stops the block.</param>
/// <param name="Rows">All rows stored in the block.</param>
/// <param name="FilteredOut">Rows the filter removed before any CBOR work.</param>
public sealed record JssBlock(IReadOnlyList<JetstreamEvent> Events, IReadOnlyList<JssRowError> Errors, int Rows, int FilteredOut);
