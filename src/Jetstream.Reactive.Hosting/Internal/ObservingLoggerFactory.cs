using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>
/// The host's <see cref="ILoggerFactory"/>, with the connection's lifecycle logs (EventIds 1001–1004, documented as
/// fixed) also read by a <see cref="ConnectionMonitor"/>: that is how the health check knows that the client is
/// connected or reconnecting (with the retry number and the last error) without a hook in the library. Every log is
/// passed on to the host's factory unchanged, filtered by the host's rules as before.
/// </summary>
internal sealed class ObservingLoggerFactory(ILoggerFactory inner, ConnectionMonitor monitor) : ILoggerFactory
{
    private const int Connected = 1001;
    private const int ConnectionLost = 1002;
    private const int Reconnecting = 1003;
    private const int ConnectionFailed = 1004;

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == JetstreamTelemetry.LoggerCategory ? new ObservingLogger(logger, monitor) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The factory is the host's: it is not disposed here.</summary>
    public void Dispose()
    {
    }

    private sealed class ObservingLogger(ILogger inner, ConnectionMonitor monitor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        // The lifecycle events are Information and above; they must reach Log even when the host filters them out.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            switch (eventId.Id)
            {
                case Connected:
                    monitor.Connected(Read<string>(state, "Endpoint"));
                    break;
                case ConnectionLost:
                    monitor.ConnectionLost(Read<string>(state, "Endpoint"), Read<string>(state, "Reason"));
                    break;
                case Reconnecting:
                    monitor.Reconnecting(Read<int>(state, "Attempt"));
                    break;
                case ConnectionFailed:
                    monitor.Failed(Read<string>(state, "Reason"));
                    break;
            }

            if (inner.IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }

        private static T? Read<T>(object? state, string name)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key == name && value is T typed)
                    {
                        return typed;
                    }
                }
            }

            return default;
        }
    }
}
