namespace Jetstream.Reactive.Testing.Archive;

/// <summary>A fault the emulator injects into one archive response.</summary>
public enum ArchiveFault
{
    /// <summary>500 <c>InternalServerError</c>.</summary>
    InternalError,

    /// <summary>502 with no XRPC body, as a gateway answers.</summary>
    BadGateway,

    /// <summary>503 <c>ServiceUnavailable</c> (<c>service not ready</c>).</summary>
    Unavailable,

    /// <summary>429 with <c>Retry-After: 0</c>.</summary>
    TooManyRequests,

    /// <summary>The full <c>Content-Length</c> is announced, half the body is sent, then the connection is aborted.</summary>
    TruncatedBody,

    /// <summary>One byte flipped: in a segment's footer (its XXH3 then fails) or at a block frame's end (its zstd checksum fails).</summary>
    CorruptBody,

    /// <summary>The answer is held back for <see cref="ArchiveFaultPlan.SlowDelay"/> first.</summary>
    Slow,

    /// <summary>404 <c>SegmentNotFound</c> or <c>BlockNotFound</c>: a permanent error.</summary>
    NotFound,

    /// <summary>A plan page whose <c>plannedThroughSeq</c> does not advance past the request's <c>afterSeq</c> (planSnapshot only).</summary>
    NoProgress,

    /// <summary>A plan entry whose <c>mode</c> is neither <c>segment</c> nor <c>blocks</c> (planSnapshot only).</summary>
    UnknownMode,
}
