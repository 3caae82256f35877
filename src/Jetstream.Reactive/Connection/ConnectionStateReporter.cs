using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Internal;
using Jetstream.Reactive.Linq;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Connection;

/// <summary>Reports the connection's changes to <see cref="JetstreamOptions.ConnectionStates"/>, when set.</summary>
internal sealed class ConnectionStateReporter
{
    private readonly ScheduledNotifier<JetstreamConnectionState>? _notifier;

    public ConnectionStateReporter(JetstreamOptions options, ILogger logger)
    {
        if (options.ConnectionStates is { } observer)
        {
            _notifier = ScheduledNotifier<JetstreamConnectionState>.Of(observer, options.Scheduler, e => TelemetryGuard.Run(logger.ConnectionStateObserverFailed, e));
        }
    }

    public void Connecting(string endpoint, int attempt, long? cursor) =>
        _notifier?.Report(new JetstreamConnectionState(JetstreamConnectionStatus.Connecting, endpoint, attempt, cursor, null, TimeSpan.Zero));

    public void Connected(string endpoint, long? cursor) =>
        _notifier?.Report(new JetstreamConnectionState(JetstreamConnectionStatus.Connected, endpoint, 0, cursor, null, TimeSpan.Zero));

    public void Reconnecting(string endpoint, RetryAttempt retry, long? cursor) =>
        _notifier?.Report(new JetstreamConnectionState(JetstreamConnectionStatus.Reconnecting, endpoint, retry.Attempt, cursor, retry.Error, retry.Delay));

    public void Stopped(string endpoint, Exception error, long? cursor) =>
        _notifier?.Report(new JetstreamConnectionState(JetstreamConnectionStatus.Stopped, endpoint, 0, cursor, error, TimeSpan.Zero));
}
