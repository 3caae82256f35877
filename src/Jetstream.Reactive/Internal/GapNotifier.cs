using System.Collections.Concurrent;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// Hands gaps to <see cref="JetstreamOptions.Gaps"/> one at a time, in the order found, on the scheduler (never on the
/// socket reader). One notifier per observer, so two streams built from the same options do not call it at once either.
/// An observer that throws is logged; it neither crashes the scheduler's thread nor stops later gaps.
/// </summary>
internal sealed class GapNotifier
{
    private static readonly ConditionalWeakTable<IObserver<JetstreamGap>, GapNotifier> Notifiers = new();

    private readonly IObserver<JetstreamGap> _observer;
    private readonly IScheduler _scheduler;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<JetstreamGap> _queue = new();
    private int _wip;

    private GapNotifier(IObserver<JetstreamGap> observer, IScheduler scheduler, ILogger logger)
    {
        _observer = observer;
        _scheduler = scheduler;
        _logger = logger;
    }

    /// <summary>The notifier of <paramref name="observer"/> (the first caller's scheduler and logger are kept).</summary>
    public static GapNotifier Of(IObserver<JetstreamGap> observer, IScheduler scheduler, ILogger logger) =>
        Notifiers.GetValue(observer, o => new GapNotifier(o, scheduler, logger));

    public void Report(JetstreamGap gap)
    {
        _queue.Enqueue(gap);
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
            while (_queue.TryDequeue(out var gap))
            {
                try
                {
                    _observer.OnNext(gap);
                }
#pragma warning disable CA1031 // The observer is user code: its failure is logged, never thrown onto the scheduler.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    TelemetryGuard.Run(_logger.GapObserverFailed, ex);
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
