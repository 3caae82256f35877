using System.Text;
using Jetstream.Reactive.Compression;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>Compresses test frames the way Jetstream servers do: one zstd frame per message, with the real dictionaries.</summary>
internal static class Zstd
{
    public static byte[] V1(string json, bool declareSize = true, bool writeDictionaryId = true) =>
        Compress(Encoding.UTF8.GetBytes(json), JetstreamZstdDictionaries.V1.Span, declareSize, writeDictionaryId);

    public static byte[] V2(string json, bool declareSize = true) =>
        Compress(Encoding.UTF8.GetBytes(json), JetstreamZstdDictionaries.BundledV2.Span, declareSize, true);

    public static byte[] Compress(ReadOnlySpan<byte> content, ReadOnlySpan<byte> dictionary, bool declareSize = true, bool writeDictionaryId = true)
    {
        using var compressor = new Compressor();
        if (!dictionary.IsEmpty)
        {
            compressor.LoadDictionary(dictionary);
        }

        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_contentSizeFlag, declareSize ? 1 : 0);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_dictIDFlag, writeDictionaryId ? 1 : 0);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return compressor.Wrap(content).ToArray();
    }

    /// <summary>A decompression bomb: a small frame of <paramref name="size"/> zero bytes.</summary>
    public static byte[] Bomb(int size, ReadOnlySpan<byte> dictionary, bool declareSize) =>
        Compress(new byte[size], dictionary, declareSize, true);
}
