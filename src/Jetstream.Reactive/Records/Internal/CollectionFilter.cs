using System.Collections.Frozen;
using Jetstream.Reactive.Identifiers;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>
/// The servers' <c>wantedCollections</c> rule on the client: a full NSID matches itself, and <c>prefix.*</c> matches every
/// collection that starts with the text before the <c>*</c> (dot included), at any depth.
/// </summary>
internal sealed class CollectionFilter
{
    private readonly FrozenSet<string> _exact;
    private readonly string[] _prefixes;

    private CollectionFilter(FrozenSet<string> exact, string[] prefixes)
    {
        _exact = exact;
        _prefixes = prefixes;
    }

    /// <summary>Validates the patterns, naming <paramref name="parameterName"/> in the exception.</summary>
    public static CollectionFilter Create(IReadOnlyList<string> patterns, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(patterns, parameterName);
        if (patterns.Count == 0)
        {
            throw new ArgumentException("Give at least one collection: a full NSID such as 'app.bsky.feed.post' or a prefix such as 'app.bsky.graph.*'.", parameterName);
        }

        var exact = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new List<string>();
        for (var i = 0; i < patterns.Count; i++)
        {
            var pattern = patterns[i];
            if (!Nsid.IsValidFilter(pattern))
            {
                throw new ArgumentException(
                    $"{parameterName}[{i}] is '{pattern}'; each value must be a full NSID such as 'app.bsky.feed.post' or a prefix ending in '.*' such as 'app.bsky.graph.*'.",
                    parameterName);
            }

            if (pattern.EndsWith(".*", StringComparison.Ordinal))
            {
                prefixes.Add(pattern[..^1]);
            }
            else
            {
                exact.Add(pattern);
            }
        }

        return new CollectionFilter(exact.ToFrozenSet(StringComparer.Ordinal), [.. prefixes.Distinct(StringComparer.Ordinal)]);
    }

    public bool Matches(string collection)
    {
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
}
