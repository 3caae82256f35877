namespace Jetstream.Reactive.Nats.Internal;

/// <summary>NATS subject matching (<c>*</c> one token, <c>&gt;</c> the rest) for filtering in the client on servers older than 2.10.</summary>
internal sealed class SubjectMatcher(IReadOnlyList<string> filters)
{
    private readonly string[][] _filters = filters.Select(f => f.Split('.')).ToArray();

    public bool Matches(string subject)
    {
        var tokens = subject.Split('.');
        foreach (var filter in _filters)
        {
            if (Matches(filter, tokens))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(string[] filter, string[] tokens)
    {
        for (var i = 0; i < filter.Length; i++)
        {
            if (filter[i] == ">")
            {
                return tokens.Length > i;
            }

            if (i >= tokens.Length || (filter[i] != "*" && !string.Equals(filter[i], tokens[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return filter.Length == tokens.Length;
    }
}
