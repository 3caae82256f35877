using Jetstream.Reactive.Transport;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>A <c>getZstdDictionary</c> endpoint whose every fetch waits for the test to release it (or for its token).</summary>
internal sealed class HeldDictionarySource(bool honourCancellation = true) : IJetstreamDictionarySource
{
    public List<(Uri Uri, HeldCall<byte[]> Call)> Fetches { get; } = [];

    public Task<byte[]> GetZstdDictionaryAsync(Uri uri, CancellationToken cancellationToken)
    {
        var call = new HeldCall<byte[]>(honourCancellation, cancellationToken);
        Fetches.Add((uri, call));
        return call.Task;
    }
}
