namespace Jetstream.Reactive;

/// <summary>Whether to ask the server to compress its frames (<see cref="JetstreamOptions.Compression"/>).</summary>
public enum JetstreamCompression
{
    /// <summary>Uncompressed JSON text frames.</summary>
    None,

    /// <summary>
    /// zstd with the protocol's dictionary: one zstd frame per binary message. v1 asks with <c>compress=true</c> and
    /// decodes with the bundled v1 dictionary; v2 asks with <c>zstdDictionary=&lt;id&gt;</c> and fetches that dictionary
    /// from the server. About half the bytes on the wire, for some CPU.
    /// </summary>
    Zstd,
}
