using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Linq;

namespace Jetstream.Reactive.Benchmarks.Micro;

/// <summary>
/// The reader's hand-off to the subscriber, per batch: a producer thread queues <see cref="BatchSize"/> items inside one
/// <see cref="DeliveryBatch"/> (as the reader does for the messages one socket read brought), and the buffer's drain
/// loop on a thread-pool scheduler delivers them; one operation is one batch, queued, woken once and delivered. The
/// figure to compare across sizes is the cost per batch against the cost per item within it.
/// </summary>
[MemoryDiagnoser]
public class HandOffBenchmarks
{
    private const int Batches = 1_000;

    private Subject<int> _subject = null!;
    private IDisposable _subscription = null!;
    private long _delivered;

    [Params(1, 16, 256)]
    public int BatchSize { get; set; } = 16;

    [GlobalSetup]
    public void Setup()
    {
        _subject = new Subject<int>();
        _subscription = _subject
            .DropIncomingWhenFull(Batches * BatchSize, TaskPoolScheduler.Default)
            .Subscribe(_ => Interlocked.Increment(ref _delivered));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _subscription.Dispose();
        _subject.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Batches)]
    public long HandOff()
    {
        var target = Interlocked.Read(ref _delivered) + ((long)Batches * BatchSize);
        var batch = new DeliveryBatch();
        for (var b = 0; b < Batches; b++)
        {
            batch.Enter();
            for (var i = 0; i < BatchSize; i++)
            {
                _subject.OnNext(i);
            }

            batch.Exit();
        }

        // Every item delivered before the next operation: the drain's work is part of the hand-off's cost.
        var spin = default(SpinWait);
        while (Interlocked.Read(ref _delivered) < target)
        {
            spin.SpinOnce();
        }

        return target;
    }
}
