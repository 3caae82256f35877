using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Reactive.Testing;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>A TestScheduler, a scripted transport, per-test meters and a fake logger, and options wired to them.</summary>
internal sealed class Harness : IDisposable
{
    public Harness()
    {
        // The client's awaits resume inline only on a thread without a custom SynchronizationContext; NUnit installs one,
        // which would post the reader's continuations to the thread pool, outside virtual time.
        SynchronizationContext.SetSynchronizationContext(null);
        Scheduler = new InspectableTestScheduler();
        Transport = new ScriptedTransport(Scheduler);
        Dictionaries = new ScriptedDictionarySource();
        Meters = new TestMeterFactory();
        Logs = new FakeLogCollector();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(Logs)));
        Options = new JetstreamOptions
        {
            Endpoint = new Uri("ws://127.0.0.1:6008"),
            Scheduler = Scheduler,
            Transport = Transport,
            DictionarySource = Dictionaries,
            MeterFactory = Meters,
            LoggerFactory = LoggerFactory,
            Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30), Multiplier = 2, Jitter = 0.5, Randomizer = () => 0 },
        };
    }

    public InspectableTestScheduler Scheduler { get; }

    public ScriptedTransport Transport { get; }

    public ScriptedDictionarySource Dictionaries { get; }

    public TestMeterFactory Meters { get; }

    public FakeLogCollector Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    public JetstreamOptions Options { get; set; }

    public static long Seconds(double s) => TimeSpan.FromSeconds(s).Ticks;

    /// <summary>Runs <paramref name="action"/> at virtual time <paramref name="ticks"/>.</summary>
    public void At(long ticks, Action action) => Scheduler.ScheduleAbsolute<object?>(null, ticks, (_, _) =>
    {
        action();
        return System.Reactive.Disposables.Disposable.Empty;
    });

    public IReadOnlyList<FakeLogRecord> LogsWithId(int id) => Logs.GetSnapshot().Where(r => r.Id.Id == id).ToList();

    public void Dispose()
    {
        LoggerFactory.Dispose();
        Meters.Dispose();
    }
}
