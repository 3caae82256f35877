using BenchmarkDotNet.Attributes;
using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Benchmarks.Archive;

namespace Jetstream.Reactive.Benchmarks.Micro;

/// <summary>Decoding one 4096-row archive block of real events: zstd, columns, DAG-CBOR to JSON, CIDs (divide by 4096 for per event).</summary>
[MemoryDiagnoser]
public class ArchiveDecodeBenchmarks
{
    private JssSegmentReader _reader = null!;

    [GlobalSetup]
    public void Setup() => _reader = JssSegmentReader.Open(new MemoryStream(ArchiveCorpus.Build(4096)[0]));

    [GlobalCleanup]
    public void Cleanup() => _reader.Dispose();

    [Benchmark(OperationsPerInvoke = 4096)]
    public int DecodeBlock() => _reader.ReadBlock(0).Events.Count;
}
