namespace Jetstream.Reactive.Testing;

/// <summary>Hostile or broken frames the server can inject into a connection (see <see cref="ConnectionScript.InjectAfter"/>).</summary>
public enum MalformedFrameKind
{
    /// <summary>A text frame that is not JSON.</summary>
    NotJson,

    /// <summary>A text frame with bytes that are not UTF-8 inside a string.</summary>
    InvalidUtf8,

    /// <summary>An event whose record nests 20,000 levels deep (legacy Jetstream issue #24).</summary>
    DeepNesting,

    /// <summary>A well-formed event padded to <see cref="ConnectionScript.OversizedBytes"/> bytes (default 50 MB).</summary>
    Oversized,

    /// <summary>
    /// A small zstd frame that expands to 64 MiB of zeros without declaring its size: with the v1 dictionary on
    /// <c>/subscribe</c>; on v2 with the connection's dictionary, or the bundled v2 one on an uncompressed connection.
    /// </summary>
    ZstdBomb,

    /// <summary>A valid event compressed with a dictionary the connection did not ask for.</summary>
    WrongDictionary,

    /// <summary>A frame with no bytes.</summary>
    Empty,

    /// <summary>A binary frame of random bytes (seeded).</summary>
    BinaryGarbage,

    /// <summary>A JSON array instead of an object.</summary>
    JsonArray,

    /// <summary>An event without <c>did</c>.</summary>
    MissingDid,

    /// <summary>An event without <c>time_us</c>.</summary>
    MissingTimeUs,

    /// <summary>An event without <c>kind</c>.</summary>
    MissingKind,

    /// <summary>An event whose <c>time_us</c> is a string.</summary>
    WrongTypes,

    /// <summary>A well-formed event of a kind no client knows (<c>"kind":"future"</c>).</summary>
    UnknownKind,
}
