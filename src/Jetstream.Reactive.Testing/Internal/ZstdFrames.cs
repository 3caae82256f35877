using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Jetstream.Reactive.Testing.Internal;

/// <summary>
/// zstd frames as the servers write them: one frame per message, the dictionary's ID in the header, a 128 KiB window,
/// the content size and a checksum. Compressors are per thread and per dictionary (they are not thread-safe).
/// </summary>
internal static class ZstdFrames
{
    [ThreadStatic]
    private static Dictionary<uint, Compressor>? t_compressors;

    public static byte[] Compress(ReadOnlySpan<byte> data, uint dictionaryId, ReadOnlyMemory<byte> dictionary)
    {
        var compressors = t_compressors ??= [];
        if (!compressors.TryGetValue(dictionaryId, out var compressor))
        {
            compressor = new Compressor(Compressor.DefaultCompressionLevel);
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, 17);
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            if (!dictionary.IsEmpty)
            {
                compressor.LoadDictionary(dictionary.Span);
            }

            compressors[dictionaryId] = compressor;
        }

        return compressor.Wrap(data).ToArray();
    }

    /// <summary>
    /// A small frame that expands to <paramref name="expandedSize"/> zero bytes and does not declare its size in the
    /// header (streaming mode), so only a decoder that caps its output is safe from it.
    /// </summary>
    public static byte[] Bomb(int expandedSize, ReadOnlyMemory<byte> dictionary)
    {
        using var compressor = new Compressor(19);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 0);
        if (!dictionary.IsEmpty)
        {
            compressor.LoadDictionary(dictionary.Span);
        }

        var zeros = new byte[1 << 20];
        var output = new MemoryStream();
        var chunk = new byte[1 << 16];
        for (var remaining = expandedSize; remaining > 0; remaining -= zeros.Length)
        {
            var input = zeros.AsSpan(0, Math.Min(zeros.Length, remaining));
            while (!input.IsEmpty)
            {
                compressor.WrapStream(input, chunk, out var consumed, out var written, isFinalBlock: false);
                output.Write(chunk, 0, written);
                input = input[consumed..];
            }
        }

        System.Buffers.OperationStatus status;
        do
        {
            status = compressor.FlushStream(chunk, out var written, isFinalBlock: true);
            output.Write(chunk, 0, written);
        }
        while (status == System.Buffers.OperationStatus.DestinationTooSmall);

        return output.ToArray();
    }
}
