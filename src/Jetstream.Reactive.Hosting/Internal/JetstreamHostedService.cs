using System.Diagnostics.Metrics;
using System.Reactive.Linq;
using Jetstream.Reactive.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

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
    private readonly IReadOnlyList<HandlerRegistration> _registrations;
    private readonly IServiceProvider _services;
    private readonly ConnectionMonitor _monitor;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _handlerTokens = new();
    private readonly Lock _gate = new();
    private List<HandlerWorker> _workers = [];
    private List<Task> _runs = [];
    private List<IDisposable> _subscriptions = [];
    private CursorKeeper? _cursor;
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

        var store = _services.GetService<ICursorStore>() ?? FileStore(options.CursorFile, _services.GetService<IHostEnvironment>()?.ContentRootPath);
        if (store is not null)
        {
            _cursor = new CursorKeeper(store, _logger, metrics);
            client = client with { CursorStore = _cursor };
        }

        var workers = _registrations
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
        _runs = workers.Select(w => Task.Run(() => w.RunAsync(_handlerTokens.Token), CancellationToken.None)).ToList();

        // One connection for every handler. RefCount(n) connects when the last handler has subscribed, so each sees the
        // first event; the retry is inside Connect, so the shared stream survives reconnects. The operators are
        // synchronous, so each worker can hold the acknowledgement of what it buffers (JetstreamAck).
        var shared = JetstreamObservable.Connect(client)
            .Do(_monitor.Received, OnStreamError, () => _monitor.Stopped(null))
            .Publish()
            .RefCount(workers.Count);
        var subscriptions = workers.Select(w => shared.Subscribe(w)).ToList();
        lock (_gate)
        {
            _subscriptions = subscriptions;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<IDisposable> subscriptions;
        lock (_gate)
        {
            if (!_started || _stopped)
            {
                return;
            }

            _stopped = true;
            subscriptions = _subscriptions;
        }

        var options = _options.Value;

        // First no handler takes more, then the connection closes; then the handlers finish what they hold, within the
        // timeout. Closing every buffer before the connection keeps the handlers at the same last event.
        foreach (var worker in _workers)
        {
            worker.Close();
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }

        _monitor.Stopped(null);

        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Draining(_workers.Sum(w => (long)w.Pending), options.ShutdownTimeout.TotalSeconds);
        }

        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(options.ShutdownTimeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await Task.WhenAll(_runs).WaitAsync(either.Token).ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            _logger.Drained(elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            await _handlerTokens.CancelAsync().ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                _logger.DrainTimedOut(
                    _workers.Sum(w => (long)w.Pending),
                    string.Join(", ", _workers.Where(w => w.Pending > 0).Select(w => $"{w.Name}: {w.Pending}")));
            }
        }

        // The connection stopped before the drain (its final save ran then); what the handlers finished since is saved
        // late by the library. Wait for that, within the caller's token.
        if (_cursor is not null && _workers.Select(w => w.LastAck).FirstOrDefault(a => a is not null) is { } ack)
        {
            try
            {
                await ack.WhenFinalSaveDoneAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
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

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        await _handlerTokens.CancelAsync().ConfigureAwait(false);
        _handlerTokens.Dispose();
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
