using System.Text.Json.Serialization;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>What one client process measured over its timed pass; printed by the child as one JSON line.</summary>
internal sealed record ClientResult
{
    [JsonPropertyName("client")]
    public string Client { get; init; } = "";

    [JsonPropertyName("events")]
    public long Events { get; init; }

    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    [JsonPropertyName("seconds")]
    public double Seconds { get; init; }

    [JsonPropertyName("cpuSeconds")]
    public double CpuSeconds { get; init; }

    /// <summary>Managed bytes allocated during the timed pass; -1 where the runtime cannot tell (node).</summary>
    [JsonPropertyName("allocatedBytes")]
    public long AllocatedBytes { get; init; } = -1;

    [JsonPropertyName("peakRssBytes")]
    public long PeakRssBytes { get; init; }

    /// <summary>Slow consumer only: the library's own count of events received (its received counter).</summary>
    [JsonPropertyName("received")]
    public long? Received { get; init; }

    [JsonPropertyName("delivered")]
    public long? Delivered { get; init; }

    [JsonPropertyName("dropped")]
    public long? Dropped { get; init; }

    [JsonPropertyName("queued")]
    public long? Queued { get; init; }

    /// <summary>Slow consumer only: the largest managed heap sampled (every 10 ms) while reading.</summary>
    [JsonPropertyName("peakHeapBytes")]
    public long? PeakHeapBytes { get; init; }

    /// <summary>Slow consumer only: the memory the GC may use (a hard limit when one is set).</summary>
    [JsonPropertyName("heapLimitBytes")]
    public long? HeapLimitBytes { get; init; }

    [JsonPropertyName("gen0Collections")]
    public int? Gen0Collections { get; init; }

    [JsonPropertyName("gen1Collections")]
    public int? Gen1Collections { get; init; }

    [JsonPropertyName("gen2Collections")]
    public int? Gen2Collections { get; init; }

    /// <summary>.NET only: <see cref="ThreadPool.CompletedWorkItemCount"/> over the timed pass.</summary>
    [JsonPropertyName("threadPoolWorkItems")]
    public long? ThreadPoolWorkItems { get; init; }

    /// <summary>Slow consumer only: the buffer capacity it ran with (null: the library's default).</summary>
    [JsonPropertyName("bufferCapacity")]
    public int? BufferCapacity { get; init; }

    /// <summary>Set by the harness: frames the server wrote completely to this client's timed connection.</summary>
    [JsonIgnore]
    public long? ServerFramesSent { get; init; }

    /// <summary>Set by the harness: the server's own CPU per event over this client's connections.</summary>
    [JsonIgnore]
    public double? ServerCpuMicrosecondsPerEvent { get; init; }

    /// <summary>Set by the harness: the wire form this row read.</summary>
    [JsonIgnore]
    public WireForm Form { get; init; }

    /// <summary>The bare <c>ClientWebSocket</c> loop: the ceiling of its wire form.</summary>
    [JsonIgnore]
    public bool IsCeiling => Client.StartsWith("raw-", StringComparison.Ordinal);

    [JsonIgnore]
    public double ThreadPoolWorkItemsPerEvent => ThreadPoolWorkItems is { } n ? (double)n / Events : double.NaN;

    [JsonIgnore]
    public double EventsPerSecond => Events / Seconds;

    [JsonIgnore]
    public double MegabytesPerSecond => Bytes / Seconds / 1e6;

    [JsonIgnore]
    public double CpuMicrosecondsPerEvent => CpuSeconds * 1e6 / Events;

    [JsonIgnore]
    public double AllocatedBytesPerEvent => AllocatedBytes < 0 ? double.NaN : (double)AllocatedBytes / Events;
}
