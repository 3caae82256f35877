using NATS.Client.JetStream.Models;

namespace Jetstream.Reactive.Nats;

/// <summary>
/// The NATS JetStream stream the relay writes to and the consumer reads from. The relay creates it when it is missing
/// and checks it when it exists (subjects and duplicate window must fit; the rest is left as the operator set it).
/// </summary>
public sealed record JetstreamNatsStreamOptions
{
    /// <summary>The stream name. Default <c>JETSTREAM</c>.</summary>
    public string Name { get; init; } = "JETSTREAM";

    /// <summary>The first subject token; the stream holds <c>&lt;prefix&gt;.&gt;</c>. Default <c>jetstream</c>.</summary>
    public string SubjectPrefix { get; init; } = "jetstream";

    /// <summary>How many DID-hash partitions the subjects carry (see <see cref="JetstreamNatsSubjects.Partition"/>). Default 16; 1 to 1024. Relay and consumers must agree.</summary>
    public int Partitions { get; init; } = 16;

    /// <summary>File or memory storage (when the relay creates the stream). Default file.</summary>
    public StreamConfigStorage Storage { get; init; } = StreamConfigStorage.File;

    /// <summary>Replicas (when the relay creates the stream): 1, 3 or 5 on a cluster. Default 1.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Retention (when the relay creates the stream). Default limits: messages stay until age or size removes them, whoever reads them.</summary>
    public StreamConfigRetention Retention { get; init; } = StreamConfigRetention.Limits;

    /// <summary>The age after which messages are removed; <see cref="TimeSpan.Zero"/> for none. Default 24 h.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The size after which the oldest messages are removed; -1 for none. Default -1.</summary>
    public long MaxBytes { get; init; } = -1;

    /// <summary>
    /// How long the server remembers a message id to drop a second copy. Must cover the longest relay outage plus the
    /// resume rewind when two relays run, or a restart after a long outage. Default 10 minutes; at least 1 second.
    /// </summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The subject wildcard the stream holds.</summary>
    public string AllSubjects => SubjectPrefix + ".>";

    internal IEnumerable<string> GetErrors(string prefix)
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny([' ', '.', '*', '>', '/', '\\']) >= 0)
        {
            yield return $"{prefix}Name is '{JetstreamNatsSubjects.Neutralize(Name)}'; it must be non-empty without spaces, '.', '*', '>', '/' or '\\'.";
        }

        if (string.IsNullOrWhiteSpace(SubjectPrefix) || SubjectPrefix.IndexOfAny([' ', '*', '>']) >= 0 || SubjectPrefix.StartsWith('.') || SubjectPrefix.EndsWith('.'))
        {
            yield return $"{prefix}SubjectPrefix is '{JetstreamNatsSubjects.Neutralize(SubjectPrefix)}'; it must be subject tokens without spaces or wildcards, such as 'jetstream'.";
        }

        if (Partitions is < 1 or > 1024)
        {
            yield return $"{prefix}Partitions is {Partitions}; it must be from 1 to 1024.";
        }

        if (Replicas is < 1 or > 5)
        {
            yield return $"{prefix}Replicas is {Replicas}; it must be from 1 to 5.";
        }

        if (MaxAge < TimeSpan.Zero)
        {
            yield return $"{prefix}MaxAge is {MaxAge}; it must be zero (no limit) or positive.";
        }

        if (MaxBytes is < -1 or 0)
        {
            yield return $"{prefix}MaxBytes is {MaxBytes}; it must be -1 (no limit) or positive.";
        }

        if (DuplicateWindow < TimeSpan.FromSeconds(1))
        {
            yield return $"{prefix}DuplicateWindow is {DuplicateWindow}; it must be at least 1 second.";
        }

        if (MaxAge > TimeSpan.Zero && DuplicateWindow > MaxAge)
        {
            yield return $"{prefix}DuplicateWindow is {DuplicateWindow}; it must not exceed MaxAge ({MaxAge}).";
        }
    }
}
