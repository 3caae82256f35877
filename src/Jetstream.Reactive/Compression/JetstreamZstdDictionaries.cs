using System.Buffers.Binary;

namespace Jetstream.Reactive.Compression;

/// <summary>
/// The zstd dictionaries Jetstream compresses with, bundled in the library (provenance in
/// <c>Compression/Dictionaries/SOURCES.md</c>): the v1 <c>/subscribe</c> dictionary and the v2 dictionary current when
/// this version was built.
/// </summary>
public static class JetstreamZstdDictionaries
{
    /// <summary>The dictionary ID of the v1 dictionary, written in every compressed v1 frame: 1612007021.</summary>
    public const uint V1Id = 1612007021;

    /// <summary>The ID of the bundled v2 dictionary: 20260811.</summary>
    public const uint BundledV2Id = 20260811;

    /// <summary>The largest dictionary the client accepts from a server: 4 MiB (the published ones are 64 KiB and 110 KiB).</summary>
    public const int MaxSize = 4 * 1024 * 1024;

    private const uint DictionaryMagic = 0xEC30A437;

    private static readonly Lazy<byte[]> V1Bytes = new(() => Load("legacy_subscribe.zdict"));
    private static readonly Lazy<byte[]> V2Bytes = new(() => Load("subscribe_events_20260811.zdict"));

    /// <summary>The v1 dictionary (112,640 bytes).</summary>
    public static ReadOnlyMemory<byte> V1 => V1Bytes.Value;

    /// <summary>The bundled v2 dictionary (65,536 bytes), ID <see cref="BundledV2Id"/>.</summary>
    public static ReadOnlyMemory<byte> BundledV2 => V2Bytes.Value;

    /// <summary>Reads the ID from a structured zstd dictionary's header (magic <c>37 A4 30 EC</c>, then the little-endian ID).</summary>
    /// <param name="dictionary">The dictionary bytes.</param>
    /// <param name="id">The ID, when the header is valid and the ID is not 0.</param>
    /// <returns>Whether <paramref name="dictionary"/> starts with a valid structured-dictionary header.</returns>
    public static bool TryReadId(ReadOnlySpan<byte> dictionary, out uint id)
    {
        id = 0;
        if (dictionary.Length < 8 || BinaryPrimitives.ReadUInt32LittleEndian(dictionary) != DictionaryMagic)
        {
            return false;
        }

        id = BinaryPrimitives.ReadUInt32LittleEndian(dictionary[4..]);
        return id != 0;
    }

    private static byte[] Load(string name)
    {
        using var stream = typeof(JetstreamZstdDictionaries).Assembly.GetManifestResourceStream("Jetstream.Reactive.Compression.Dictionaries." + name)
            ?? throw new InvalidOperationException($"The bundled dictionary '{name}' is missing from the assembly.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
