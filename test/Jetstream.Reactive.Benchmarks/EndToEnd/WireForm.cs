namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>The frames a connection gets, chosen by the request's path and query.</summary>
internal enum WireForm
{
    /// <summary>v1 (<c>/subscribe</c>): one JSON event per text frame.</summary>
    V1Text,

    /// <summary>v1 with <c>compress=true</c>: one zstd frame (v1 dictionary) per event, binary frames.</summary>
    V1Zstd,

    /// <summary>v2 (<c>…subscribeEvents</c>): the <c>message</c> envelope per text frame.</summary>
    V2Text,
}
