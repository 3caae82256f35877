using Jetstream.Reactive.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Resume;

/// <summary>
/// Loads <see cref="JetstreamOptions.CursorStore"/>'s cursor once, before the first connection, into the
/// <see cref="ResumePosition"/>, unless it is for another protocol or cannot be right.
/// </summary>
internal sealed class StoredCursorLoader
{
    private readonly JetstreamOptions _options;
    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly ResumePosition _position;
    private readonly CursorPlausibility _plausibility;
    private readonly JetstreamMetrics _metrics;
    private readonly ILogger _logger;
    private bool _loaded;

    public StoredCursorLoader(JetstreamOptions options, IReadOnlyList<Uri> endpoints, ResumePosition position, CursorPlausibility plausibility, JetstreamMetrics metrics, ILogger logger)
    {
        _options = options;
        _endpoints = endpoints;
        _position = position;
        _plausibility = plausibility;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Before the first connection, loads the stored cursor (once); it then counts as the last handled (and queued) event.</summary>
    /// <exception cref="JetstreamCursorStoreException">The store failed.</exception>
    public async Task EnsureLoadedAsync(CancellationToken token)
    {
        if (_loaded || _options.CursorStore is not { } store)
        {
            return;
        }

        JetstreamCursor? stored;
        try
        {
            stored = await store.LoadAsync(token).ConfigureAwait(false);

            // A store that ignored the token and answered after the attempt was abandoned (dispose, idle timeout): the
            // answer is not used, so nothing connects after dispose; a later attempt loads again.
            token.ThrowIfCancellationRequested();
        }
        catch (Exception e) when (!token.IsCancellationRequested)
        {
            _logger.CursorLoadFailed(e);
            throw new JetstreamCursorStoreException($"The cursor store could not load the saved cursor: {e.Message}", e);
        }

        _loaded = true;
        if (stored is null)
        {
            return;
        }

        if (stored.Protocol != _options.Protocol)
        {
            _logger.StoredCursorIgnored(stored.Protocol, _options.Protocol);
            return;
        }

        if (_plausibility.StoredProblem(stored) is { } problem)
        {
            // A bad value in the store (written by an older version, edited by hand, or saved from a hostile server) is
            // not trusted silently: the stream starts as if nothing were stored.
            _metrics.CursorImplausible.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.ReasonTag, "store"));
            _logger.StoredCursorImplausible(stored.Value, problem, _options.Cursor is { } c ? $"the configured cursor {c}" : "the live tail");
            return;
        }

        // Our own handled cursor, so it may seed the replay floor: a restart does not deliver that event again. From
        // another host (or one no longer configured), the resume goes by time_us minus the rewind instead.
        var endpoint = -1;
        for (var i = 0; i < _endpoints.Count; i++)
        {
            if (string.Equals(_endpoints[i].Authority, stored.Host, StringComparison.OrdinalIgnoreCase))
            {
                endpoint = i;
                break;
            }
        }

        _position.Restore(stored.Value, stored.IsSequence, StoredCursorTime.Of(stored, _logger), endpoint);
        _logger.StoredCursorLoaded(stored.Value, stored.IsSequence ? "seq" : "time_us", stored.Host);
    }
}
