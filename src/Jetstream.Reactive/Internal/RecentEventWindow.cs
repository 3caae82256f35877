namespace Jetstream.Reactive.Internal;

/// <summary>
/// The identities of the last <c>capacity</c> delivered events, to drop the duplicates a rewound resume on another host
/// sends again. An identity is a 64-bit hash of what makes an event unique whatever the host: for a commit the
/// repository, collection, record key, revision and operation; for identity, account and sync events the repository and
/// the upstream relay's sequence number. Hosts differ in <c>time_us</c> and sequence numbers, so neither is part of it.
/// </summary>
/// <remarks>Fixed memory: a ring of hashes and a set of the same hashes. Used by one attempt at a time.</remarks>
internal sealed class RecentEventWindow
{
    private readonly ulong[] _ring;
    private readonly HashSet<ulong> _set;
    private int _next;
    private int _count;

    public RecentEventWindow(int capacity)
    {
        _ring = new ulong[capacity];
        _set = new HashSet<ulong>(capacity);
    }

    public int Count => _count;

    public bool Contains(JetstreamEvent e) => Identifiable(e) && _set.Contains(Identity(e));

    /// <summary>Remembers <paramref name="e"/>, forgetting the oldest identity when full.</summary>
    /// <returns><see langword="false"/> when it was already remembered: a duplicate.</returns>
    public bool TryAdd(JetstreamEvent e)
    {
        if (!Identifiable(e))
        {
            return true;
        }

        var id = Identity(e);
        if (!_set.Add(id))
        {
            return false;
        }

        if (_count == _ring.Length)
        {
            _set.Remove(_ring[_next]);
        }
        else
        {
            _count++;
        }

        _ring[_next] = id;
        _next = (_next + 1) % _ring.Length;
        return true;
    }

    /// <summary>
    /// Whether the event has an identity to compare: a commit without <c>rev</c> has none (two updates of the same record
    /// would look alike), so it is always delivered, at worst twice after a move to another host, never dropped.
    /// </summary>
    internal static bool Identifiable(JetstreamEvent e) => e is not CommitEvent { Commit.Rev.Length: 0 };

    /// <summary>FNV-1a (64-bit, one 16-bit char per step) over the parts, each ended by a separator that no part contains.</summary>
    internal static ulong Identity(JetstreamEvent e)
    {
        var hash = Fnv(14695981039346656037UL, (char)('0' + (int)e.Kind));
        hash = Mix(hash, e.Did);
        switch (e)
        {
            case CommitEvent c:
                hash = Mix(hash, c.Commit.Collection);
                hash = Mix(hash, c.Commit.RKey);
                hash = Mix(hash, c.Commit.Rev);
                return Fnv(hash, (char)('0' + (int)c.Commit.Operation));
            case IdentityEvent i:
                return Mix(hash, i.Seq);
            case AccountEvent a:
                return Mix(hash, a.Seq);
            case SyncEvent s:
                return Mix(Mix(hash, s.Seq), s.Rev);
            default:
                return Mix(hash, e.TimeUs);
        }
    }

    private static ulong Mix(ulong hash, string value)
    {
        foreach (var c in value)
        {
            hash = Fnv(hash, c);
        }

        return Fnv(hash, '\0');
    }

    private static ulong Mix(ulong hash, long value)
    {
        for (var i = 0; i < 4; i++)
        {
            hash = Fnv(hash, (char)((value >> (i * 16)) & 0xFFFF));
        }

        return Fnv(hash, '\0');
    }

    private static ulong Fnv(ulong hash, char c) => (hash ^ c) * 1099511628211UL;
}
