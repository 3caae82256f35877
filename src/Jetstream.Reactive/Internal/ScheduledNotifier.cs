using System.Collections.Concurrent;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Runtime.CompilerServices;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// Hands notices to a user's observer one at a time, in the order reported, on the scheduler (never on the socket
/// reader). One notifier per observer, so two streams built from the same options do not call it at once either. An
/// observer that throws is reported to <c>failed</c>; it neither crashes the scheduler's thread nor stops later notices.
/// </summary>
/// <typeparam name="T">The notice.</typeparam>
internal sealed class ScheduledNotifier<T>
{
    private static readonly ConditionalWeakTable<IObserver<T>, ScheduledNotifier<T>> Notifiers = new();

    private readonly IObserver<T> _observer;
    private readonly IScheduler _scheduler;
    private readonly Action<Exception> _failed;
    private readonly ConcurrentQueue<T> _queue = new();
    private int _wip;

    private ScheduledNotifier(IObserver<T> observer, IScheduler scheduler, Action<Exception> failed)
    {
        _observer = observer;
        _scheduler = scheduler;
        _failed = failed;
    }

    /// <summary>The notifier of <paramref name="observer"/> (the first caller's scheduler and failure report are kept).</summary>
    public static ScheduledNotifier<T> Of(IObserver<T> observer, IScheduler scheduler, Action<Exception> failed) =>
        Notifiers.GetValue(observer, o => new ScheduledNotifier<T>(o, scheduler, failed));

    public void Report(T notice)
    {
        _queue.Enqueue(notice);
        if (Interlocked.Increment(ref _wip) == 1)
        {
            _scheduler.Schedule(this, static (_, self) =>
            {
                self.Drain();
                return Disposable.Empty;
            });
        }
    }

    private void Drain()
    {
        var missed = 1;
        while (true)
        {
            while (_queue.TryDequeue(out var notice))
            {
                try
                {
                    _observer.OnNext(notice);
                }
#pragma warning disable CA1031 // The observer is user code: its failure is reported, never thrown onto the scheduler.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _failed(ex);
                }
            }

            missed = Interlocked.Add(ref _wip, -missed);
            if (missed == 0)
            {
                return;
            }
        }
    }
}
