using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>A log provider that fails on every write, as a broken sink would.</summary>
internal sealed class ThrowingLogger : ILogger, ILoggerProvider, ILoggerFactory
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        throw new InvalidOperationException("the log sink failed");

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
