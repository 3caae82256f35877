namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// What the server did for one connection: the wire form asked for, the frames it wrote completely (counted by the
/// server, independently of what any client reports), and its own thread's CPU time while writing them.
/// </summary>
internal sealed record ServedConnection(int Id, WireForm Form, long FramesSent, long BytesSent, double ServerCpuSeconds, double WriteSeconds);
