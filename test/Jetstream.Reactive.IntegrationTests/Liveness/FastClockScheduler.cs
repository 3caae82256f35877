using System.Diagnostics;
using System.Reactive.Concurrency;

namespace Jetstream.Reactive.IntegrationTests.Liveness;

/// <summary>
/// A real-time scheduler whose clock runs <c>factor</c> times faster: every library timer (idle timeout, backoff, cursor
/// saves) fires that much sooner, so "10 × the default 60 s idle timeout" takes seconds of wall clock. The runtime's
/// keep-alive pings stay on real time, as in production.
/// </summary>
internal sealed class FastClockScheduler(double factor) : LocalScheduler
{
    private readonly DateTimeOffset _start = TimeProvider.System.GetUtcNow();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public override DateTimeOffset Now => _start + (_clock.Elapsed * factor);

    public override IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action) =>
        DefaultScheduler.Instance.Schedule(state, dueTime / factor, (_, s) => action(this, s));
}
