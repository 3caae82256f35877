using Microsoft.Reactive.Testing;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>
/// A <see cref="TestScheduler"/> that can say whether any work is still queued on it (timers, periodic saves, buffer
/// drains), so that a test can check that a disposed subscription left nothing behind.
/// </summary>
internal sealed class InspectableTestScheduler : TestScheduler
{
    /// <summary>The due time of the next queued, not cancelled item, or <see langword="null"/> when nothing is queued.</summary>
    public long? NextDueTime => GetNext()?.DueTime;
}
