using BenchmarkDotNet.Attributes;
using Jetstream.Reactive.Compression;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Jetstream.Reactive.Benchmarks.Micro;

/// <summary>Decompressing one real v1 frame with the v1 dictionary (ZstdSharp, as the servers compress it).</summary>
[MemoryDiagnoser]
public class ZstdBenchmarks
{
    private readonly Decompressor _decompressor = new();
    private byte[] _frame = [];
    private byte[] _output = [];

    [Params("like", "post")]
    public string Payload { get; set; } = "like";

    [GlobalSetup]
    public void Setup()
    {
        var json = Payloads.Pick(Payload);
        using var compressor = new Compressor(Compressor.DefaultCompressionLevel);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, 17);
        compressor.LoadDictionary(JetstreamZstdDictionaries.V1.Span);
        _frame = compressor.Wrap(json).ToArray();
        _decompressor.LoadDictionary(JetstreamZstdDictionaries.V1.Span);
        _output = new byte[json.Length];
    }

    [GlobalCleanup]
    public void Cleanup() => _decompressor.Dispose();

    [Benchmark]
    public int Decompress() => _decompressor.Unwrap(_frame, _output);
}
