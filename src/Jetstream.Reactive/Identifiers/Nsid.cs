namespace Jetstream.Reactive.Identifiers;

/// <summary>NSID syntax (atproto spec) and the servers' <c>prefix.*</c> filter form.</summary>
internal static class Nsid
{
    private const int MaxLength = 317;
    private const int MaxSegment = 63;

    /// <summary>A full NSID, or a prefix pattern: dot-separated segments followed by <c>.*</c>.</summary>
    public static bool IsValidFilter(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value.EndsWith(".*", StringComparison.Ordinal))
        {
            var head = value.AsSpan(0, value.Length - 2);
            if (head.IsEmpty || head.Length > MaxLength)
            {
                return false;
            }

            foreach (var range in head.Split('.'))
            {
                if (!IsDomainSegment(head[range]))
                {
                    return false;
                }
            }

            return true;
        }

        return IsValid(value);
    }

    /// <summary>
    /// The v2 server's stricter filter rule: a full NSID, or a prefix whose head followed by <c>.x</c> is an NSID (so at
    /// least two segments, the first not starting with a digit).
    /// </summary>
    public static bool IsValidV2Filter(string? value) =>
        value is not null && value.EndsWith(".*", StringComparison.Ordinal)
            ? IsValid(string.Concat(value.AsSpan(0, value.Length - 2), ".x"))
            : IsValid(value);

    /// <summary>A full NSID: at least three segments; domain segments of letters, digits and hyphens; a name of letters and digits.</summary>
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        var span = value.AsSpan();
        var lastDot = span.LastIndexOf('.');
        if (lastDot <= 0)
        {
            return false;
        }

        var segments = 0;
        foreach (var range in span[..lastDot].Split('.'))
        {
            var segment = span[..lastDot][range];
            if (!IsDomainSegment(segment) || (segments == 0 && char.IsAsciiDigit(segment[0])))
            {
                return false;
            }

            segments++;
        }

        if (segments < 2)
        {
            return false;
        }

        var name = span[(lastDot + 1)..];
        if (name.IsEmpty || name.Length > MaxSegment || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDomainSegment(ReadOnlySpan<char> segment)
    {
        if (segment.IsEmpty || segment.Length > MaxSegment || segment[0] == '-' || segment[^1] == '-')
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
