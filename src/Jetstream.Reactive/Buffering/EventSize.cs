namespace Jetstream.Reactive.Buffering;

/// <summary>
/// About how many bytes of memory an event holds while it waits in a buffer, for the byte budgets: its payload (a
/// record's JSON, a sync event's blocks, the copy <see cref="JetstreamOptions.RetainRawJson"/> keeps) plus a fixed allowance for the object and its short strings. A server decides
/// the payload's size (up to <see cref="JetstreamOptions.MaxMessageSize"/>, after decompression), so it is what counts.
/// </summary>
internal static class EventSize
{
    /// <summary>The object, its header fields and its short strings (DID, collection, rkey, rev, CID), UTF-16.</summary>
    private const long Overhead = 512;

    public static long Of(JetstreamEvent e) => e.RawJson.Length + e switch
    {
        CommitEvent c => Overhead + c.Commit.RecordJson.Length,
        SyncEvent s => Overhead + s.Blocks.Length,
        IdentityEvent i => Overhead + (2L * (i.Handle?.Length ?? 0)),
        _ => Overhead,
    };

    /// <summary>A sizer for a queue of <typeparamref name="T"/>: events by their payload; other item types are bounded in count only.</summary>
    public static Func<T, long>? For<T>() =>
        typeof(JetstreamEvent).IsAssignableFrom(typeof(T)) ? static item => item is JetstreamEvent e ? Of(e) : 0 : null;
}
