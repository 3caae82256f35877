using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using Jetstream.Reactive.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Resume;

/// <summary>
/// The durable cursor: remembers the last event the subscriber handled (finished), saves it to
/// <see cref="JetstreamOptions.CursorStore"/> every <see cref="JetstreamOptions.CursorSaveInterval"/> and once more at the
/// stop, with at most one save in flight (a slow store gets the latest cursor at the next turn).
/// </summary>
internal sealed class CursorSaver
{
    private readonly JetstreamOptions _options;
    private readonly Func<JetstreamEvent, string> _hostOf;
    private readonly JetstreamMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();

    // The last event the subscriber finished, the last one saved, and the chain of saves.
    private JetstreamEvent? _handled;
    private JetstreamEvent? _saved;
    private bool _saving;
    private bool _savePending;
    private volatile bool _stopped;
    private int _lateSaveScheduled;
    private Exception? _lastFailure;

    // Completed (and replaced) at each change the final-save wait looks at: the stop, a save's end, a late save's turn.
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="options">The options (store, interval, scheduler, protocol).</param>
    /// <param name="hostOf">The authority of the host an event came from, saved beside its cursor.</param>
    /// <param name="metrics">The metrics.</param>
    /// <param name="logger">The logger.</param>
    public CursorSaver(JetstreamOptions options, Func<JetstreamEvent, string> hostOf, JetstreamMetrics metrics, ILogger logger)
    {
        _options = options;
        _hostOf = hostOf;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Starts the periodic saves; disposing stops them and saves the last handled cursor.</summary>
    public IDisposable Start()
    {
        if (_options.CursorStore is null)
        {
            return Disposable.Empty;
        }

        var timer = _options.Scheduler.SchedulePeriodic(_options.CursorSaveInterval, SaveIfMoved);
        return Disposable.Create(() =>
        {
            timer.Dispose();
            _stopped = true;
            SaveIfMoved();
            Changed();
        });
    }

    /// <summary>
    /// Completes when the stream has stopped and no save is running or scheduled: the final save (and any late one) is
    /// done. Without a <see cref="JetstreamOptions.CursorStore"/>, completes at once: there is nothing to save.
    /// </summary>
    /// <returns>The last save's error when the last handled cursor is not stored; otherwise <see langword="null"/>.</returns>
    public async Task<Exception?> WhenStoppedAndSavedAsync(CancellationToken cancellationToken)
    {
        if (_options.CursorStore is null)
        {
            return null;
        }

        while (true)
        {
            Task next;
            lock (_gate)
            {
                var handled = Volatile.Read(ref _handled);
                var stored = handled is null || ReferenceEquals(handled, _saved);

                // Unstored with no failure: a late save is between its turn and its start; wait for it.
                if (_stopped && !_saving && Volatile.Read(ref _lateSaveScheduled) == 0 && (stored || _lastFailure is not null))
                {
                    return stored ? null : _lastFailure;
                }

                next = _changed.Task;
            }

            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Changed()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>
    /// The subscriber finished <paramref name="e"/> (its <c>OnNext</c> returned, or the async handler completed): it is
    /// what <see cref="JetstreamOptions.CursorStore"/> saves next.
    /// </summary>
    public void Handled(JetstreamEvent e)
    {
        if (e.CursorUntrusted)
        {
            // Handled, but its cursor cannot be right: the saved cursor stays at the last plausible event.
            return;
        }

        Volatile.Write(ref _handled, e);

        // Finished after the stop: disposed from inside OnNext (Take(n) on its last item), or queued events handled
        // after a terminal error. The final save has run; save again, coalesced into one save per scheduler hop.
        if (_stopped && Interlocked.Exchange(ref _lateSaveScheduled, 1) == 0)
        {
            _options.Scheduler.Schedule(() =>
            {
                Volatile.Write(ref _lateSaveScheduled, 0);
                SaveIfMoved();
                Changed();
            });
        }
    }

    private void SaveIfMoved()
    {
        var store = _options.CursorStore!;
        JetstreamEvent? e;
        lock (_gate)
        {
            e = Volatile.Read(ref _handled);
            if (e is null || ReferenceEquals(e, _saved) || _saving)
            {
                // Unchanged, or a save is still running: a slow store gets at most one save in flight; the next
                // interval (or the final save) takes the latest cursor.
                if (e is not null && !ReferenceEquals(e, _saved))
                {
                    _savePending = true;
                }

                return;
            }

            _saved = e;
            _saving = true;
        }

        _ = SaveAsync(store, JetstreamCursor.Of(e, _options.Protocol, _hostOf(e)), e);
    }

    private async Task SaveAsync(ICursorStore store, JetstreamCursor cursor, JetstreamEvent savedEvent)
    {
        try
        {
            await store.SaveAsync(cursor, CancellationToken.None).ConfigureAwait(false);
            _lastFailure = null;
            _metrics.CursorSaves.Add(1);
        }
#pragma warning disable CA1031 // A failed save is retried by the next one; the stream goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _lastFailure = e;
            TelemetryGuard.Run(_logger.CursorSaveFailed, e);

            // Not saved after all: the next interval (or the final save) tries this event again.
            lock (_gate)
            {
                if (ReferenceEquals(_saved, savedEvent))
                {
                    _saved = null;
                }
            }
        }

        bool again;
        lock (_gate)
        {
            _saving = false;
            again = _savePending && _stopped;
            _savePending = false;
        }

        // A delivery moved the cursor while the last save after the stop was running: one more save.
        if (again)
        {
            SaveIfMoved();
        }

        Changed();
    }
}
