using Jetstream.Reactive;
using Microsoft.Extensions.Logging;

namespace Jetstream.Cli.Infrastructure;

/// <summary>Writes log messages at Information and above as plain lines to a writer (standard error, for <c>--verbose</c>).</summary>
internal sealed class WriterLoggerFactory(TextWriter writer) : ILoggerFactory
{
    private const int MaxMessage = 2000;

    private readonly object _lock = new();
    private readonly TextWriter _writer = writer;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(WriterLoggerFactory provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "error",
                _ => "crit",
            };
            lock (provider._lock)
            {
                // Log messages carry server text (#info messages, close reasons): neutralised before the terminal, one line each.
                provider._writer.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {level}: {JetstreamText.Printable(formatter(state, exception), MaxMessage)}");
                provider._writer.Flush();
            }
        }
    }
}
