using System.Globalization;

namespace Jetstream.Reactive.Nats;

/// <summary>
/// The subject layout and message identity the relay writes and the consumer reads:
/// <c>&lt;prefix&gt;.&lt;partition&gt;.commit.&lt;collection&gt;</c>, <c>&lt;prefix&gt;.&lt;partition&gt;.identity</c> and
/// <c>&lt;prefix&gt;.&lt;partition&gt;.account</c>, where the partition is a hash of the DID. The partition comes before the
/// kind because a collection has a variable number of tokens: one subject (<c>jetstream.3.&gt;</c>) then selects a
/// partition, which nats-server 2.9 (one filter subject per consumer) can filter on the server.
/// </summary>
public static class JetstreamNatsSubjects
{
    /// <summary>The header carrying the event's cursor on the Jetstream host the relay read it from.</summary>
    public const string CursorHeader = "Jetstream-Cursor";

    /// <summary>The header carrying that Jetstream host (<c>host[:port]</c>).</summary>
    public const string HostHeader = "Jetstream-Host";

    /// <summary>The header carrying the event's <c>time_us</c>, meaningful on every host (used to resume on another host).</summary>
    public const string TimeUsHeader = "Jetstream-Time-Us";

    /// <summary>
    /// The header (value <c>true</c>) on an event whose cursor the source did not trust (<see cref="JetstreamEvent.IsCursorTrusted"/>
    /// is <see langword="false"/>: not positive, or absurdly far ahead). Its cursor and time headers are kept as sent, but a
    /// relay never resumes from them.
    /// </summary>
    public const string CursorUntrustedHeader = "Jetstream-Cursor-Untrusted";

    /// <summary>The token written in place of a collection that is not a valid subject token (counted by the relay).</summary>
    public const string InvalidCollectionToken = "_invalid";

    /// <summary>The partition of a DID: FNV-1a (32 bit) of its UTF-8 bytes modulo <paramref name="partitions"/>. Stable across processes and versions.</summary>
    /// <param name="did">The repository DID.</param>
    /// <param name="partitions">The partition count (at least 1).</param>
    /// <returns>A number in [0, <paramref name="partitions"/>).</returns>
    public static int Partition(string did, int partitions)
    {
        ArgumentNullException.ThrowIfNull(did);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        uint hash = 2166136261;
        foreach (var c in did)
        {
            // DIDs are ASCII; a non-ASCII char is hashed by its UTF-16 units, which is still stable.
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash % (uint)partitions);
    }

    /// <summary>The subject an event is written to.</summary>
    /// <param name="prefix">The subject prefix, such as <c>jetstream</c>.</param>
    /// <param name="e">The event.</param>
    /// <param name="partitions">The partition count.</param>
    /// <returns>The subject.</returns>
    public static string SubjectOf(string prefix, JetstreamEvent e, int partitions)
    {
        ArgumentNullException.ThrowIfNull(e);
        var p = Partition(e.Did, partitions).ToString(CultureInfo.InvariantCulture);
        return e switch
        {
            CommitEvent c => string.Concat(prefix, ".", p, ".commit.", IsValidToken(c.Commit.Collection) ? c.Commit.Collection : InvalidCollectionToken),
            IdentityEvent => string.Concat(prefix, ".", p, ".identity"),
            AccountEvent => string.Concat(prefix, ".", p, ".account"),
            _ => string.Concat(prefix, ".", p, ".", e.Kind.ToString().ToLowerInvariant()),
        };
    }

    /// <summary>
    /// The <c>Nats-Msg-Id</c> of an event: built from what identifies it on every Jetstream host, never from a host's
    /// cursor or <c>time_us</c>. A commit is <c>c:did:collection:rkey:rev:operation</c> (a repository revision changes a
    /// record at most once); an identity or account event is <c>i:did:seq</c> or <c>a:did:seq</c> with the upstream
    /// relay's sequence number, which every Jetstream host copies.
    /// </summary>
    /// <param name="e">The event.</param>
    /// <returns>The message id.</returns>
    public static string MessageIdOf(JetstreamEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            CommitEvent c => string.Concat("c:", c.Did, ":", c.Commit.Collection, ":", c.Commit.RKey, ":", c.Commit.Rev, ":", OperationToken(c.Commit.Operation)),
            IdentityEvent i => string.Concat("i:", i.Did, ":", i.Seq.ToString(CultureInfo.InvariantCulture)),
            AccountEvent a => string.Concat("a:", a.Did, ":", a.Seq.ToString(CultureInfo.InvariantCulture)),
            _ => string.Concat(e.Kind.ToString().ToLowerInvariant(), ":", e.Did, ":", e.TimeUs.ToString(CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>Whether a collection NSID can stand as subject tokens: ASCII letters, digits, '-' and non-empty dot-separated parts.</summary>
    /// <param name="collection">The collection.</param>
    /// <returns><see langword="true"/> when it can.</returns>
    public static bool IsValidToken(string collection)
    {
        if (string.IsNullOrEmpty(collection) || collection.Length > 317 || collection[0] == '.' || collection[^1] == '.')
        {
            return false;
        }

        var previousDot = false;
        foreach (var c in collection)
        {
            var dot = c == '.';
            if ((dot && previousDot) || !(dot || c == '-' || char.IsAsciiLetterOrDigit(c)))
            {
                return false;
            }

            previousDot = dot;
        }

        return true;
    }

    /// <summary>The subject filter for one partition (or all, when <paramref name="partition"/> is null), one kind and optionally one collection (a trailing <c>.*</c> is a prefix).</summary>
    internal static string Filter(string prefix, int? partition, JetstreamEventKind kind, string? collection)
    {
        var p = partition?.ToString(CultureInfo.InvariantCulture) ?? "*";
        if (kind != JetstreamEventKind.Commit)
        {
            return string.Concat(prefix, ".", p, ".", kind.ToString().ToLowerInvariant());
        }

        if (collection is null)
        {
            return string.Concat(prefix, ".", p, ".commit.>");
        }

        return collection.EndsWith(".*", StringComparison.Ordinal)
            ? string.Concat(prefix, ".", p, ".commit.", collection[..^2], ".>")
            : string.Concat(prefix, ".", p, ".commit.", collection);
    }

    private static string OperationToken(CommitOperation operation) => operation switch
    {
        CommitOperation.Create => "create",
        CommitOperation.Update => "update",
        CommitOperation.Delete => "delete",
        _ => operation.ToString().ToLowerInvariant(),
    };

    /// <summary>Text from a server or a user made safe for a message or a log line: <see cref="JetstreamText.Printable"/>, at most 200 characters.</summary>
    internal static string Neutralize(string? text) => JetstreamText.Printable(text, 200);

    /// <summary>The servers of a NATS URL list as logs and health data show them: scheme, host and port, never user or password.</summary>
    internal static string Endpoint(string? urls)
    {
        var parts = (urls ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u.Contains("://", StringComparison.Ordinal) ? u : "nats://" + u, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}" : "(invalid url)")
            .ToList();
        return Neutralize(parts.Count == 0 ? "nats" : string.Join(",", parts));
    }
}
