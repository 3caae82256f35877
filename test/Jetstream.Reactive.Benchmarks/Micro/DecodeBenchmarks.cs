using BenchmarkDotNet.Attributes;

namespace Jetstream.Reactive.Benchmarks.Micro;

/// <summary>Decoding one real frame per kind and size class (the smallest like, the largest post, …).</summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private byte[] _frame = [];

    [Params("like", "post", "profile-update", "delete", "identity", "account")]
    public string Payload { get; set; } = "like";

    [GlobalSetup]
    public void Setup() => _frame = Payloads.Pick(Payload);

    [Benchmark]
    public JetstreamEvent? Decode() => JetstreamEventDecoder.Decode(_frame).Event;
}
