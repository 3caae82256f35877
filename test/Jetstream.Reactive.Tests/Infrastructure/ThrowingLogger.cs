using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>A log provider that fails on writes, as a broken sink would: on every write, or only on the given event ids.</summary>
internal sealed class ThrowingLogger(params int[] eventIds) : ILogger, ILoggerProvider, ILoggerFactory
{
    public int Thrown { get; private set; }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventIds.Length == 0 || eventIds.Contains(eventId.Id))
        {
            Thrown++;
            throw new InvalidOperationException($"the log sink failed on event {eventId.Id}");
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
