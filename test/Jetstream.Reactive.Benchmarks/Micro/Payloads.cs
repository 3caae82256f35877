using System.Text;
using Jetstream.Reactive.Testing;

namespace Jetstream.Reactive.Benchmarks.Micro;

/// <summary>Real events from the bundled data, picked by kind and size class.</summary>
internal static class Payloads
{
    private static readonly byte[][] All = JetstreamEventSource.BundledRealEvents.Read().Select(m => m.ToArray()).ToArray();

    public static byte[] Pick(string name) => name switch
    {
        "like" => Find("\"app.bsky.feed.like\"", smallest: true),
        "post" => Find("\"app.bsky.feed.post\"", smallest: false),
        "profile-update" => Find("\"operation\":\"update\"", smallest: false),
        "delete" => Find("\"operation\":\"delete\"", smallest: true),
        "identity" => Find("\"kind\":\"identity\"", smallest: true),
        "account" => Find("\"kind\":\"account\"", smallest: true),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown payload"),
    };

    private static byte[] Find(string marker, bool smallest)
    {
        var matches = All.Where(b => Encoding.UTF8.GetString(b).Contains(marker, StringComparison.Ordinal)).OrderBy(b => b.Length).ToList();
        return smallest ? matches[0] : matches[^1];
    }
}
