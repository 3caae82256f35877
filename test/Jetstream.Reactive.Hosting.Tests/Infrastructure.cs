using Jetstream.Reactive.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>Hosts for the tests: no default sources (no appsettings, no environment), in-memory settings, fake logging.</summary>
internal static class TestHosts
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Settings that point at <paramref name="server"/> with fast retries.</summary>
    public static Dictionary<string, string?> For(JetstreamTestServer server, string? cursorFile = null) => new()
    {
        ["Jetstream:Endpoint"] = server.Uri.ToString(),
        ["Jetstream:Backoff:InitialDelay"] = "00:00:00.005",
        ["Jetstream:Backoff:MaxDelay"] = "00:00:00.020",
        ["Jetstream:IdleTimeout"] = "00:00:30",
        ["Jetstream:CursorFile"] = cursorFile,
    };

    public static IHost Build(IDictionary<string, string?> settings, Action<JetstreamBuilder> handlers, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddFakeLogging();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        handlers(builder.Services.AddJetstream(builder.Configuration.GetSection("Jetstream")));
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public static string TempCursorFile() => Path.Combine(TempFiles.Root, Guid.NewGuid().ToString("N"), "state", "cursor.json");

    public static string Post(long i) => TestEvents.Post($"post {i}", rkey: $"p{i}", did: $"did:plc:{i % 7:D24}");
}

/// <summary>Collects what a handler saw and lets a test await a count, with a deadline.</summary>
internal class Recorder
{
    private readonly Lock _gate = new();
    private readonly List<JetstreamEvent> _events = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly List<int> _batches = [];
    private readonly HashSet<Guid> _scopes = [];

    public IReadOnlyList<JetstreamEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToList();
            }
        }
    }

    public IReadOnlyList<int> Batches
    {
        get
        {
            lock (_gate)
            {
                return _batches.ToList();
            }
        }
    }

    public int Scopes
    {
        get
        {
            lock (_gate)
            {
                return _scopes.Count;
            }
        }
    }

    public void Add(IReadOnlyList<JetstreamEvent> events, Guid scope)
    {
        lock (_gate)
        {
            _events.AddRange(events);
            _batches.Add(events.Count);
            _scopes.Add(scope);
            foreach (var waiter in _waiters.Where(w => w.Count <= _events.Count).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public Task WaitForAsync(int count, CancellationToken token)
    {
        lock (_gate)
        {
            if (_events.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(TestHosts.Deadline, token);
        }
    }
}

internal sealed class FastRecorder : Recorder;

internal sealed class SlowRecorder : Recorder;

internal sealed class BatchRecorder : Recorder;

/// <summary>One per DI scope: tells handlers apart by the scope they were resolved from.</summary>
internal sealed class ScopeProbe
{
    public Guid Id { get; } = Guid.NewGuid();
}

/// <summary>Holds a handler at a chosen event until the test releases it.</summary>
internal sealed class HandlerGate
{
    public int BlockAt { get; set; } = 1;

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool SawCancellation { get; set; }
}

internal sealed class FastHandler(FastRecorder recorder, ScopeProbe scope) : IJetstreamHandler
{
    public Task HandleAsync(JetstreamEvent jetstreamEvent, CancellationToken cancellationToken)
    {
        recorder.Add([jetstreamEvent], scope.Id);
        return Task.CompletedTask;
    }
}

/// <summary>Records each event after it is handled; at the gate's event, waits for the release (or the token).</summary>
internal sealed class SlowHandler(SlowRecorder recorder, HandlerGate gate, ScopeProbe scope) : IJetstreamHandler
{
    public async Task HandleAsync(JetstreamEvent jetstreamEvent, CancellationToken cancellationToken)
    {
        if (recorder.Events.Count + 1 == gate.BlockAt)
        {
            gate.Entered.TrySetResult();
            try
            {
                await gate.Release.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                gate.SawCancellation = true;
                throw;
            }
        }

        recorder.Add([jetstreamEvent], scope.Id);
    }
}

internal sealed class BatchHandler(BatchRecorder recorder, ScopeProbe scope) : IJetstreamBatchHandler
{
    public Task HandleAsync(IReadOnlyList<JetstreamEvent> events, CancellationToken cancellationToken)
    {
        recorder.Add(events, scope.Id);
        return Task.CompletedTask;
    }
}

/// <summary>Throws on every event with an even cursor (the emulator numbers events 1, 2, 3…).</summary>
internal sealed class FlakyHandler(FastRecorder recorder, ScopeProbe scope) : IJetstreamHandler
{
    public Task HandleAsync(JetstreamEvent jetstreamEvent, CancellationToken cancellationToken)
    {
        if (jetstreamEvent.Cursor % 2 == 0)
        {
            throw new InvalidOperationException("flaky handler");
        }

        recorder.Add([jetstreamEvent], scope.Id);
        return Task.CompletedTask;
    }
}

internal static class ServiceCollectionTestExtensions
{
    /// <summary>The recorders, the gate and the per-scope probe the test handlers use.</summary>
    public static IServiceCollection AddTestHandlerServices(this IServiceCollection services, HandlerGate? gate = null)
    {
        services.AddSingleton<FastRecorder>();
        services.AddSingleton<SlowRecorder>();
        services.AddSingleton<BatchRecorder>();
        services.AddSingleton(gate ?? new HandlerGate());
        services.AddScoped<ScopeProbe>();
        return services;
    }
}
