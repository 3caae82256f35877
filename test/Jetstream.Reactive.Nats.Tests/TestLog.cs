using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>Logs to stderr when JR_NATS_LOG=1 (for diagnosing a failing run); otherwise nothing.</summary>
internal sealed class TestLog : ILoggerProvider, ILoggerFactory
{
    public static ILoggerFactory Factory { get; } = Environment.GetEnvironmentVariable("JR_NATS_LOG") == "1" ? new TestLog() : NullLoggerFactory.Instance;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category} {eventId.Id} {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
    }
}
