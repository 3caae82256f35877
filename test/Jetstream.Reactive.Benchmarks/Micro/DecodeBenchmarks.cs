using BenchmarkDotNet.Attributes;
using Jetstream.Reactive.Benchmarks.EndToEnd;

namespace Jetstream.Reactive.Benchmarks.Micro;

/// <summary>
/// Decoding one real frame per kind and size class (the smallest like, the largest post, …), as the v1 server sends it
/// and as the same event's v2 frame (the envelope and payload the end-to-end harness sends).
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private byte[] _frame = [];

    [Params("like", "post", "profile-update", "delete", "identity", "account")]
    public string Payload { get; set; } = "like";

    [Params("v1", "v2")]
    public string Protocol { get; set; } = "v1";

    [GlobalSetup]
    public void Setup()
    {
        var v1 = Payloads.Pick(Payload);
        _frame = Protocol == "v2" ? Corpus.ToV2(v1, 1) : v1;
    }

    [Benchmark]
    public JetstreamEvent? Decode() => Protocol == "v2" ? JetstreamEventDecoder.DecodeV2(_frame).Result.Event : JetstreamEventDecoder.Decode(_frame).Event;
}
