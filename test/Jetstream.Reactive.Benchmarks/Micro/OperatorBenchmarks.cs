using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using Jetstream.Reactive.Linq;

namespace Jetstream.Reactive.Benchmarks.Micro;

/// <summary>Per-item cost of the drop-incoming buffer and of SubscribeAsync (10,000 items per operation).</summary>
[MemoryDiagnoser]
public class OperatorBenchmarks
{
    private const int Items = 10_000;

    [Benchmark(OperationsPerInvoke = Items)]
    public long DropIncomingWhenFull()
    {
        long sum = 0;
        using var subject = new Subject<int>();
        using (subject.DropIncomingWhenFull(Items, ImmediateScheduler.Instance).Subscribe(x => sum += x))
        {
            for (var i = 0; i < Items; i++)
            {
                subject.OnNext(i);
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public long SubscribeAsync()
    {
        long sum = 0;
        using var subject = new Subject<int>();
        using (subject.SubscribeAsync((x, _) =>
        {
            sum += x;
            return Task.CompletedTask;
        }, _ => { }, options: new AsyncHandlerOptions { BufferCapacity = Items, Scheduler = ImmediateScheduler.Instance }))
        {
            for (var i = 0; i < Items; i++)
            {
                subject.OnNext(i);
            }
        }

        return sum;
    }
}
