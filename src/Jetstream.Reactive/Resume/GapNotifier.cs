using System.Reactive.Concurrency;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Internal;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Resume;

/// <summary>
/// Hands gaps to <see cref="JetstreamOptions.Gaps"/> one at a time, in the order found, on the scheduler (never on the
/// socket reader), through the shared <see cref="ScheduledNotifier{T}"/>. An observer that throws is logged
/// (<c>GapObserverFailed</c>); it neither crashes the scheduler's thread nor stops later gaps.
/// </summary>
internal static class GapNotifier
{
    /// <summary>The notifier of <paramref name="observer"/> (the first caller's scheduler and logger are kept).</summary>
    public static ScheduledNotifier<JetstreamGap> Of(IObserver<JetstreamGap> observer, IScheduler scheduler, ILogger logger) =>
        ScheduledNotifier<JetstreamGap>.Of(observer, scheduler, e => TelemetryGuard.Run(logger.GapObserverFailed, e));
}
