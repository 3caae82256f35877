namespace Jetstream.Reactive.Archive;

/// <summary>
/// The exact filter applied to every archive row and live event (the server's plan is only a superset). Collections
/// constrain commit rows only, so account, identity and sync markers pass any collection filter; kinds and DIDs
/// still apply to them.
/// </summary>
internal sealed class ArchiveRowFilter
{
    private readonly bool[]? _kinds;
    private readonly HashSet<string>? _dids;
    private readonly HashSet<string>? _collections;
    private readonly string[] _prefixes;

    public ArchiveRowFilter(IReadOnlyCollection<JetstreamEventKind> kinds, IReadOnlyCollection<string> dids, IReadOnlyCollection<string> collections)
    {
        if (kinds.Count > 0)
        {
            _kinds = new bool[4];
            foreach (var kind in kinds)
            {
                _kinds[(int)kind] = true;
            }
        }

        _dids = dids.Count > 0 ? new HashSet<string>(dids, StringComparer.Ordinal) : null;
        if (collections.Count > 0)
        {
            _collections = new HashSet<string>(collections.Where(c => !c.EndsWith(".*", StringComparison.Ordinal)), StringComparer.Ordinal);
            _prefixes = collections.Where(c => c.EndsWith(".*", StringComparison.Ordinal)).Select(c => c[..^1]).ToArray();
        }
        else
        {
            _prefixes = [];
        }
    }

    /// <summary>Deliver rows with seq above this (0: from the start).</summary>
    public ulong AfterSeq { get; set; }

    /// <summary>Deliver rows with seq at or below this, when set.</summary>
    public ulong? BeforeSeq { get; init; }

    public static ArchiveRowFilter All { get; } = new([], [], []);

    public static JetstreamEventKind KindOf(JssRowKind kind) => kind switch
    {
        JssRowKind.Identity => JetstreamEventKind.Identity,
        JssRowKind.Account => JetstreamEventKind.Account,
        JssRowKind.Sync => JetstreamEventKind.Sync,
        _ => JetstreamEventKind.Commit,
    };

    public bool WantsSeq(ulong seq) => seq > AfterSeq && (BeforeSeq is not { } before || seq <= before);

    public bool Wants(ulong seq, JetstreamEventKind kind, string did, string collection) =>
        WantsSeq(seq)
        && (_kinds is null || _kinds[(int)kind])
        && (_dids is null || _dids.Contains(did))
        && (_collections is null || kind != JetstreamEventKind.Commit || collection.Length == 0 || WantsCollection(collection));

    /// <summary>The same test for a live event (whose seq is its cursor).</summary>
    public bool Wants(JetstreamEvent e) =>
        Wants((ulong)e.Cursor, e.Kind, e.Did, e is CommitEvent c ? c.Commit.Collection : string.Empty);

    private bool WantsCollection(string collection)
    {
        if (_collections!.Contains(collection))
        {
            return true;
        }

        foreach (var prefix in _prefixes)
        {
            if (collection.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
