using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>
/// Settles each event of an <see cref="IJetstreamEventSource"/> once every handler is done with it. It wraps the
/// handlers' invokers (so the handler workers stay as they are): a call that returns reports its events handled, one
/// that throws reports them failed. A worker takes its events in order, so when it reports an event, the events before
/// it that it never reported were dropped by its full buffer: they count as not handled for it. What is left at stop
/// is settled as not handled, so the source delivers it again at once (to another worker of the log).
/// </summary>
internal sealed class SourceSettlement(int handlers, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<JetstreamEvent, Entry> _byEvent = new(ReferenceEqualityComparer.Instance);
    private readonly SortedDictionary<long, Entry> _bySeq = [];
    private readonly Dictionary<string, long> _lastReported = [];
    private readonly HashSet<Task> _running = [];
    private long _seq;
    private bool _closed;

    /// <summary>Events given to the handlers and not settled yet.</summary>
    public int Outstanding
    {
        get
        {
            lock (_gate)
            {
                return _bySeq.Count;
            }
        }
    }

    /// <summary>Remembers an event before it goes to the handlers; returns the event.</summary>
    public JetstreamEvent Add(JetstreamSourcedEvent sourced)
    {
        var settleNow = false;
        lock (_gate)
        {
            if (_closed || handlers == 0)
            {
                settleNow = true;
            }
            else
            {
                var entry = new Entry(++_seq, sourced);
                _bySeq.Add(entry.Seq, entry);
                _byEvent[sourced.Event] = entry;
            }
        }

        if (settleNow)
        {
            // Stopping: no handler takes it any more.
            Settle(sourced, JetstreamEventOutcome.NotHandled);
        }

        return sourced.Event;
    }

    /// <summary>The invoker of <paramref name="registration"/>, reporting each call's events.</summary>
    public HandlerRegistration Wrap(HandlerRegistration registration) => registration with
    {
        Invoke = async (provider, events, token) =>
        {
            try
            {
                await registration.Invoke(provider, events, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Stopped mid-call: not reported, so settled as not handled at stop.
                throw;
            }
            catch
            {
                Report(registration.Name, events, failed: true);
                throw;
            }

            Report(registration.Name, events, failed: false);
        },
    };

    /// <summary>
    /// Settles what is left as not handled (later events are settled so as they arrive), and waits until the source has
    /// taken every answer, so none is lost with a connection closed right after the host stops.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        List<Entry> left;
        lock (_gate)
        {
            _closed = true;
            left = [.. _bySeq.Values];
            _bySeq.Clear();
            _byEvent.Clear();
        }

        foreach (var entry in left)
        {
            Settle(entry.Sourced, entry.Failed ? JetstreamEventOutcome.Failed : JetstreamEventOutcome.NotHandled);
        }

        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's own stop timeout: what is not answered comes back after the source's acknowledgement timeout.
        }
    }

    private void Report(string handler, IReadOnlyList<JetstreamEvent> events, bool failed)
    {
        List<(JetstreamSourcedEvent Sourced, JetstreamEventOutcome Outcome)>? done = null;
        lock (_gate)
        {
            long last = 0;
            var inCall = new HashSet<long>();
            foreach (var e in events)
            {
                if (_byEvent.TryGetValue(e, out var entry))
                {
                    inCall.Add(entry.Seq);
                    last = Math.Max(last, entry.Seq);
                }
            }

            if (last == 0)
            {
                return;
            }

            var from = _lastReported.GetValueOrDefault(handler);
            _lastReported[handler] = Math.Max(from, last);
            foreach (var entry in _bySeq.Values)
            {
                if (entry.Seq <= from)
                {
                    continue;
                }

                if (entry.Seq > last)
                {
                    break;
                }

                if (inCall.Contains(entry.Seq))
                {
                    entry.Failed |= failed;
                }
                else
                {
                    // Before this call's events and never reported by this handler: its buffer dropped it.
                    entry.Missed = true;
                }

                if (++entry.Reports == handlers)
                {
                    (done ??= []).Add((entry.Sourced, entry.Failed ? JetstreamEventOutcome.Failed : entry.Missed ? JetstreamEventOutcome.NotHandled : JetstreamEventOutcome.Handled));
                }
            }

            if (done is not null)
            {
                foreach (var (sourced, _) in done)
                {
                    _bySeq.Remove(_byEvent[sourced.Event].Seq);
                    _byEvent.Remove(sourced.Event);
                }
            }
        }

        if (done is not null)
        {
            foreach (var (sourced, outcome) in done)
            {
                Settle(sourced, outcome);
            }
        }
    }

    private void Settle(JetstreamSourcedEvent sourced, JetstreamEventOutcome outcome)
    {
        ValueTask pending;
        try
        {
            pending = sourced.SettleAsync(outcome);
        }
#pragma warning disable CA1031 // The source's failure to take an outcome must not stop the handlers; the source delivers the event again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.SettleFailed(outcome.ToString(), sourced.Event.Kind, e);
            return;
        }

        if (!pending.IsCompletedSuccessfully)
        {
            var observed = ObserveAsync(pending, sourced, outcome);
            lock (_gate)
            {
                _running.Add(observed);
            }

            _ = observed.ContinueWith(
                (t, state) =>
                {
                    var self = (SourceSettlement)state!;
                    lock (self._gate)
                    {
                        self._running.Remove(t);
                    }
                },
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task ObserveAsync(ValueTask pending, JetstreamSourcedEvent sourced, JetstreamEventOutcome outcome)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As above.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.SettleFailed(outcome.ToString(), sourced.Event.Kind, e);
        }
    }

    private sealed class Entry(long seq, JetstreamSourcedEvent sourced)
    {
        public long Seq { get; } = seq;

        public JetstreamSourcedEvent Sourced { get; } = sourced;

        public int Reports { get; set; }

        public bool Failed { get; set; }

        public bool Missed { get; set; }
    }
}
