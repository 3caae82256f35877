using System.Diagnostics.Metrics;
using System.Reactive.Linq;
using Jetstream.Reactive.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Why this file is over 300 lines: start and stop of the hosted consumer (the client's options, the shared connection,
// the handler workers, an optional event source and its settlement, the bounded stop) are one lifetime.

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>
/// The hosted consumer. At start it opens one connection (<see cref="JetstreamObservable.Connect"/>, retry inside) and
/// shares it among the handlers with <c>Publish().RefCount(n)</c>, each handler behind its own bounded buffer. At stop it
/// closes the connection, lets the handlers finish what they hold for up to <see cref="JetstreamHostingOptions.ShutdownTimeout"/>,
/// and waits for the library's save of the cursor of the last event every handler finished.
/// </summary>
internal sealed class JetstreamHostedService : IHostedService, IAsyncDisposable
{
    private readonly IOptions<JetstreamHostingOptions> _options;
    private readonly List<HandlerRegistration> _registrations;
    private readonly IServiceProvider _services;
    private readonly ConnectionMonitor _monitor;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private List<HandlerWorker> _workers = [];
    private IDisposable? _connection;
    private CursorKeeper? _cursor;
    private IJetstreamEventSource? _source;
    private SourceSettlement? _settlement;
    private bool _started;
    private bool _stopped;

    public JetstreamHostedService(IOptions<JetstreamHostingOptions> options, IEnumerable<HandlerRegistration> registrations, IServiceProvider services, ConnectionMonitor monitor)
    {
        _options = options;
        _registrations = registrations.ToList();
        _services = services;
        _monitor = monitor;
        _loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger(JetstreamHosting.LoggerCategory);
        _time = monitor.Time;
    }

    /// <summary>The handlers' counters, for the health check; empty before start.</summary>
    public IReadOnlyList<HandlerSnapshot> Handlers
    {
        get
        {
            lock (_gate)
            {
                return _workers.Select(w => w.Snapshot()).ToList();
            }
        }
    }

    public JetstreamHostingOptions Options => _options.Value;

    /// <summary>The event source the handlers read from instead of a Jetstream socket, once started; null for a socket.</summary>
    public IJetstreamEventSource? Source => _source;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = _options.Value;
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("The Jetstream hosted service was already started; it runs once per host.");
            }

            _started = true;
        }

        var meterFactory = _services.GetService<IMeterFactory>();
        var metrics = new HostingMetrics(meterFactory, QueueDepths);
        var client = OptionsMapping.ToClientOptions(options) with
        {
            LoggerFactory = _loggerFactory,
            ConnectionStates = System.Reactive.Observer.Create<JetstreamConnectionState>(OnConnectionState),
            MeterFactory = meterFactory,
        };
        if (_services.GetService<IJetstreamTransport>() is { } transport)
        {
            client = client with { Transport = transport };
        }

        if (_services.GetService<IJetstreamDictionarySource>() is { } dictionaries)
        {
            client = client with { DictionarySource = dictionaries };
        }

        // An event source keeps its own position (the log's consumer): see StartSource.
        IEnumerable<HandlerRegistration> registrations = _registrations;
        IObservable<JetstreamEvent>? sourced = null;
        if (_services.GetService<EventSourceRegistration>() is { } sourceRegistration)
        {
            (sourced, registrations) = StartSource(sourceRegistration, options);
        }

        var store = sourced is not null ? null : _services.GetService<ICursorStore>() ?? FileStore(options.CursorFile, _services.GetService<IHostEnvironment>()?.ContentRootPath);
        if (store is not null)
        {
            _cursor = new CursorKeeper(store, _logger, metrics);
            client = client with { CursorStore = _cursor };
        }

        var workers = registrations
            .Select(r => new HandlerWorker(r, r.BufferCapacity ?? options.HandlerBufferCapacity, _services.GetRequiredService<IServiceScopeFactory>(), _logger, metrics, _time, options.HandlerBufferByteLimit))
            .ToList();
        lock (_gate)
        {
            _workers = workers;
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.ConsumerStarting(workers.Count, string.Join(", ", workers.Select(w => w.Name)), store switch
            {
                null => "none",
                FileCursorStore file => file.Path,
                _ => store.GetType().Name,
            });
        }

        _monitor.Starting();

        // One connection for every handler, connected once every handler's queue has subscribed, so each sees the first
        // event; the retry is inside Connect, so the shared stream survives reconnects. The operators are synchronous,
        // so each handler's queue holds the cursor acknowledgement of what it takes (JetstreamAck).
        var shared = (sourced ?? JetstreamObservable.Connect(client))
            .Do(_monitor.Received, OnStreamError, () => _monitor.Stopped(null))
            .Publish();
        foreach (var worker in workers)
        {
            worker.Start(shared);
        }

        var connection = shared.Connect();
        lock (_gate)
        {
            _connection = connection;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        IDisposable? connection;
        lock (_gate)
        {
            if (!_started || _stopped)
            {
                return;
            }

            _stopped = true;
            connection = _connection;
        }

        var options = _options.Value;

        // First the connection closes (the library starts its final cursor save), so every handler stops at the same
        // last event; then the handlers finish what they hold, within the timeout, and the library saves again what
        // they finished.
        connection?.Dispose();
        _monitor.Stopped(null);

        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Draining(_workers.Sum(w => (long)w.Pending), options.ShutdownTimeout.TotalSeconds);
        }

        var started = _time.GetTimestamp();
        var drains = Task.WhenAll(_workers.Select(w => w.DrainAsync()));
        using var timeout = new CancellationTokenSource(options.ShutdownTimeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await drains.WaitAsync(either.Token).ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            _logger.Drained(elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                _logger.DrainTimedOut(
                    _workers.Sum(w => (long)w.Pending),
                    string.Join(", ", _workers.Where(w => w.Pending > 0).Select(w => $"{w.Name}: {w.Pending}")));
            }

            // Give up on what is left: it is not handled, and the saved cursor stays before it.
            foreach (var worker in _workers)
            {
                worker.Dispose();
            }
        }
        catch (JetstreamCursorStoreException)
        {
            // The final save failed; CursorKeeper logged and counted it.
        }

        // Each handler's queue completes after the library's final cursor save (CursorKeeper logs it). A handler that
        // ignores its cancelled token would hold this wait forever: the host's own stop token bounds it.
        try
        {
            await drains.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (JetstreamCursorStoreException)
        {
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Given up: the cursor stays at its last save, and the settlement below still runs.
        }

        // What the handlers did not finish goes back to the event source now, for another worker of the log.
        if (_settlement is not null)
        {
            await _settlement.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        {
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            var totals = Handlers;
            _logger.ConsumerStopped(
                totals.Sum(h => h.Handled),
                totals.Sum(h => h.Dropped),
                totals.Sum(h => h.Failed),
                _cursor?.LastSaved is { } saved ? $"{saved.Value} saved" : "not saved");
        }
    }

    public ValueTask DisposeAsync()
    {
        _connection?.Dispose();
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Opens the registered <see cref="IJetstreamEventSource"/>: its connection states drive the monitor as the library's
    /// do, and every handler's invoker reports to a <see cref="SourceSettlement"/>, which settles each event with the source.
    /// </summary>
    private (IObservable<JetstreamEvent> Events, IEnumerable<HandlerRegistration> Registrations) StartSource(EventSourceRegistration registration, JetstreamHostingOptions options)
    {
        if (options.CursorFile is not null || _services.GetService<ICursorStore>() is not null)
        {
            throw new InvalidOperationException("The hosted Jetstream consumer reads from an event source (UseEventSource), which keeps its own position; remove Jetstream:CursorFile and any registered ICursorStore.");
        }

        var source = registration.Factory(_services) ?? throw new InvalidOperationException("The UseEventSource factory returned null.");
        var settlement = new SourceSettlement(_registrations.Count, _logger);
        _source = source;
        _settlement = settlement;
        _logger.SourceReading(source.Description);
        var states = System.Reactive.Observer.Create<JetstreamConnectionState>(OnConnectionState);
        var events = source.Connect(states).Select(settlement.Add);
        return (events, _registrations.Select(settlement.Wrap).ToList());
    }

    /// <summary>The store of <see cref="JetstreamHostingOptions.CursorFile"/>: a relative path is under the content root.</summary>
    private static FileCursorStore? FileStore(string? path, string? contentRoot)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var store = new FileCursorStore(contentRoot is null ? path : Path.Combine(contentRoot, path));
        if (Path.GetDirectoryName(store.Path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        return store;
    }

    private IEnumerable<Measurement<long>> QueueDepths()
    {
        foreach (var worker in Handlers)
        {
            yield return new Measurement<long>(worker.Pending, new KeyValuePair<string, object?>(HostingMetrics.HandlerTag, worker.Name));
        }
    }

    /// <summary>The library's connection states drive the health check's monitor (the stream's end is <see cref="OnStreamError"/>).</summary>
    private void OnConnectionState(JetstreamConnectionState state)
    {
        switch (state.Status)
        {
            case JetstreamConnectionStatus.Connected:
                _monitor.Connected(state.Endpoint);
                break;
            case JetstreamConnectionStatus.Reconnecting:
                _monitor.ConnectionLost(state.Endpoint, state.Error?.Message);
                _monitor.Reconnecting(state.Attempt);
                break;
            case JetstreamConnectionStatus.Stopped:
                _monitor.Failed(state.Error?.Message);
                break;
        }
    }

    private void OnStreamError(Exception error)
    {
        _monitor.Stopped(error);
        var stop = _options.Value.StopHostOnFailure && _services.GetService<IHostApplicationLifetime>() is not null;
        _logger.StreamFailed(stop ? "stopping the host (StopHostOnFailure)" : "the host goes on without it, and the health check reports Unhealthy", error);
        if (stop)
        {
            _services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        }
    }
}
