namespace Jetstream.Reactive.Archive;

/// <summary>One entry of a segment's collection table.</summary>
/// <param name="Name">An NSID, or a reserved marker name (<c>$account</c>, <c>$identity</c>, <c>$sync</c>).</param>
/// <param name="EventCount">Commit rows with this collection (always 0 for the marker names).</param>
public sealed record JssCollectionEntry(string Name, uint EventCount);
