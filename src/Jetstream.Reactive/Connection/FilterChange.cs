namespace Jetstream.Reactive.Connection;

/// <summary>A filter change pushed to the running attempt: the filter as sent in a v1 <c>options_update</c>, and its version.</summary>
/// <param name="Collections">The wanted collections.</param>
/// <param name="Dids">The wanted DIDs.</param>
/// <param name="Version">Increases with each applied update; a send of an older version is skipped.</param>
internal sealed record FilterChange(IReadOnlyList<string> Collections, IReadOnlyList<string> Dids, long Version);
