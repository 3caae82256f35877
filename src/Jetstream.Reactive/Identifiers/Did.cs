namespace Jetstream.Reactive.Identifiers;

/// <summary>DID syntax (W3C DID core as profiled by atproto): <c>did:method:identifier</c>.</summary>
internal static class Did
{
    private const int MaxLength = 2048;

    public static bool IsValid(string? value)
    {
        if (value is null || value.Length > MaxLength || !value.StartsWith("did:", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = value.AsSpan(4);
        var colon = rest.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        foreach (var c in rest[..colon])
        {
            if (!char.IsAsciiLetterLower(c))
            {
                return false;
            }
        }

        var id = rest[(colon + 1)..];
        if (id.IsEmpty || id[^1] is ':' or '%')
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or ':' or '%' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
