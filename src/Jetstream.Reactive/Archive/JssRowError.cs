namespace Jetstream.Reactive.Archive;

/// <summary>One stored row that could not become an event (its payload is not the DAG-CBOR its kind needs); the block's other rows are kept.</summary>
/// <param name="Seq">The row's seq.</param>
/// <param name="Message">What is wrong with it (no payload bytes are quoted).</param>
public sealed record JssRowError(long Seq, string Message);
