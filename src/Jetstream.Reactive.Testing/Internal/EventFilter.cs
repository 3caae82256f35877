using Jetstream.Reactive.Identifiers;

namespace Jetstream.Reactive.Testing.Internal;

/// <summary>
/// The servers' delivery predicate: (kinds unset or kind in kinds) and (DIDs unset or DID in DIDs) and (not a commit, or
/// collections unset, or an empty collection, or an exact match, or a prefix match on the part before <c>*</c>).
/// </summary>
internal sealed class EventFilter
{
    public static readonly EventFilter All = new(null, [], []);

    private readonly HashSet<string>? _kinds;
    private readonly HashSet<string> _dids;
    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly List<string> _prefixes = [];

    public EventFilter(IReadOnlyCollection<string>? kinds, IEnumerable<string> collections, IEnumerable<string> dids)
    {
        _kinds = kinds is { Count: > 0 } ? new HashSet<string>(kinds, StringComparer.Ordinal) : null;
        _dids = new HashSet<string>(dids, StringComparer.Ordinal);
        foreach (var c in collections)
        {
            if (c.EndsWith('*'))
            {
                _prefixes.Add(c[..^1]);
            }
            else
            {
                _exact.Add(c);
            }
        }
    }

    public int CollectionCount => _exact.Count + _prefixes.Count;

    public int DidCount => _dids.Count;

    public bool Matches(StoredEvent e)
    {
        if (_kinds is not null && !_kinds.Contains(e.Kind))
        {
            return false;
        }

        if (_dids.Count > 0 && !_dids.Contains(e.Did))
        {
            return false;
        }

        if (e.Collection is not { Length: > 0 } collection || (_exact.Count == 0 && _prefixes.Count == 0))
        {
            return true;
        }

        if (_exact.Contains(collection))
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

    /// <summary>v1 collection rule (both servers): anything ending in <c>.*</c>, or a full NSID.</summary>
    public static bool IsValidV1Collection(string value) =>
        value.Length > 2 && value.EndsWith(".*", StringComparison.Ordinal) || AtIdentifier.IsNsid(value);

    /// <summary>v2 collection rule: a full NSID, or a <c>head.*</c> whose <c>head.x</c> is an NSID.</summary>
    public static bool IsValidV2Collection(string value) =>
        value.EndsWith(".*", StringComparison.Ordinal) ? AtIdentifier.IsNsid(value[..^1] + "x") : AtIdentifier.IsNsid(value);

    public static bool IsValidDid(string value) => AtIdentifier.IsDid(value);
}
