namespace Jetstream.Reactive.Testing.Archive;

/// <summary>One request the emulator's archive endpoints received.</summary>
/// <param name="Endpoint">The endpoint.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Query">The query string (with its leading <c>?</c>), empty when none.</param>
/// <param name="Body">The request body for planSnapshot; empty otherwise.</param>
/// <param name="HasAuthorization">Whether an <c>Authorization</c> header was sent (its value is not kept).</param>
/// <param name="Status">The status answered.</param>
/// <param name="Range">The <c>Range</c> header, when one was sent.</param>
public sealed record ArchiveRequest(ArchiveEndpoint Endpoint, string Method, string Query, string Body, bool HasAuthorization, int Status, string? Range = null);
