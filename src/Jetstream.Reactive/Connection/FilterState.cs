using System.Reactive.Disposables;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Protocol;
using Jetstream.Reactive.Validation;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Connection;

/// <summary>
/// The filter the next connection asks for, and the request built from it and the current host.
/// <see cref="JetstreamOptions.FilterUpdates"/> changes it from any thread, so it is guarded by a lock; the running
/// attempt registers a listener that is pushed each change as a value (v1 sends it on the open socket, v2 reconnects)
/// and never reads the state back from the listener.
/// </summary>
internal sealed class FilterState
{
    private readonly JetstreamOptions _options;
    private readonly JetstreamMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Uri _endpoint;
    private IReadOnlyList<string> _collections;
    private IReadOnlyList<string> _dids;
    private long _version;
    private SubscribeRequest _request;
    private Action<FilterChange>? _listener;
    private volatile string _attemptEndpoint;

    public FilterState(JetstreamOptions options, Uri endpoint, JetstreamMetrics metrics, ILogger logger)
    {
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _endpoint = endpoint;
        _collections = options.WantedCollections;
        _dids = options.WantedDids;
        _request = new SubscribeRequest(options, endpoint, _collections, _dids);
        _attemptEndpoint = _request.DisplayEndpoint;
    }

    /// <summary>The request of the next attempt (host and latest filter).</summary>
    public SubscribeRequest Request
    {
        get
        {
            lock (_gate)
            {
                return _request;
            }
        }
    }

    /// <summary>The host of the running (or last) attempt, as logs show it.</summary>
    public string AttemptEndpoint => _attemptEndpoint;

    /// <summary>Subscribes to <see cref="JetstreamOptions.FilterUpdates"/>; disposing ends it.</summary>
    public IDisposable Follow() => _options.FilterUpdates?.Subscribe(Apply, OnError) ?? Disposable.Empty;

    /// <summary>An attempt starts: returns its request and that filter's version; <paramref name="changed"/> hears of later changes.</summary>
    public (SubscribeRequest Request, long Version) Begin(Action<FilterChange> changed)
    {
        lock (_gate)
        {
            _listener = changed;
            _attemptEndpoint = _request.DisplayEndpoint;
            return (_request, _version);
        }
    }

    /// <summary>The attempt that registered <paramref name="changed"/> ended.</summary>
    public void End(Action<FilterChange> changed)
    {
        lock (_gate)
        {
            if (_listener == changed)
            {
                _listener = null;
            }
        }
    }

    /// <summary>The next connection goes to <paramref name="endpoint"/>; returns that request's host as logs show it.</summary>
    public string MoveTo(Uri endpoint)
    {
        lock (_gate)
        {
            _endpoint = endpoint;
            _request = new SubscribeRequest(_options, endpoint, _collections, _dids);
            return _request.DisplayEndpoint;
        }
    }

    private void Apply(JetstreamFilter filter)
    {
        var errors = OptionsValidation.FilterErrors(filter, _options).ToList();
        if (errors.Count > 0)
        {
            _metrics.FilterUpdates.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.OutcomeTag, "rejected"));
            // Filters are never logged above Debug: the Warning names the fields at fault, not their values.
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                _logger.FilterUpdateRejected(string.Join("; ", errors.Select(e => e.Path.Length == 0 ? $"The {e.Owner}" : $"{e.Owner}.{e.Path}").Distinct(StringComparer.Ordinal)));
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.FilterUpdateRejectedDetail(string.Join(" ", errors.Select(e => e.Message)));
            }
            return;
        }

        Action<FilterChange>? listener;
        FilterChange change;
        bool changed;
        lock (_gate)
        {
            var request = new SubscribeRequest(_options, _endpoint, filter.WantedCollections, filter.WantedDids);
            changed = !request.Collections.SequenceEqual(_request.Collections, StringComparer.Ordinal)
                || !request.Dids.SequenceEqual(_request.Dids, StringComparer.Ordinal);
            _collections = filter.WantedCollections;
            _dids = filter.WantedDids;
            _request = request;
            _version++;
            change = new FilterChange(request.Collections, request.Dids, _version);
            listener = _listener;
        }

        _metrics.FilterUpdates.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.OutcomeTag, "applied"));

        // v1 sends every update (the server replaces its filter); v2 reconnects only when the filter really changed.
        if (listener is not null && (changed || _options.Protocol == JetstreamProtocol.V1))
        {
            listener(change);
        }
    }

    private void OnError(Exception error) => _logger.FilterUpdatesFailed(error.Message, error);
}
