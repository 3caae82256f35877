using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Jetstream.Reactive.Linq;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/backpressure.md.</summary>
internal static class Backpressure
{
    public static IDisposable SlowSubscriber(Action<JetstreamEvent> slowWork)
    {
        // begin-snippet: buffer-capacity
        // Up to 100,000 events may wait for this subscriber. Past that, each incoming
        // event is dropped and counted; the events already queued are kept.
        var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { BufferCapacity = 100_000 })
            .Subscribe(slowWork, error => Console.Error.WriteLine(error.Message));
        // end-snippet
        return subscription;
    }

    public static IDisposable AnySource(IObservable<string> lines, Action<string> process)
    {
        // begin-snippet: drop-incoming-operator
        long dropped = 0;
        var subscription = lines
            .DropIncomingWhenFull(capacity: 1_000, TaskPoolScheduler.Default, onDropped: _ => Interlocked.Increment(ref dropped))
            .Subscribe(process);
        // end-snippet
        return subscription;
    }
}
