using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Linq;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// One subscription's logical connection: the cursor that survives reconnects, the attempts, the current host and
/// filter, the v2 compression state, and the monitor of its buffer. Attempts run one after another (the retry operator subscribes the
/// next only after the previous failed), so the cursor state needs no lock; the filter, which
/// <see cref="JetstreamOptions.FilterUpdates"/> changes from any thread, is guarded by a lock.
/// </summary>
internal sealed class JetstreamSession : IDropIncomingMonitor<JetstreamEvent>
{
    private const string CursorTooOld = "CursorTooOld";
    private const string UnknownZstdDictionary = "UnknownZstdDictionary";

    // The jetstream.reason values of jetstream.client.reconnects: a fixed, small set (docs/telemetry.md).
    internal const string ReconnectFailure = "failure";
    internal const string ReconnectOverflowPause = "overflow_pause";
    internal const string ReconnectFilterUpdate = "filter_update";
    internal const string ReconnectCursorTooOld = "cursor_too_old";
    internal const string ReconnectDictionaryRotated = "dictionary_rotated";
    private const long TimestampCursorThreshold = 1_000_000_000_000_000;
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    // Cursor plausibility (docs/reconnection-and-cursors.md, "Cursor integrity"): fixed bounds, and the clock's only
    // once it reads a real date (a virtual-time scheduler starts at year 1).
    private const long MaxPlausibleTimeUs = 4_102_444_800_000_000; // 2100-01-01
    private const long ClockMeaningfulAfterUs = 1_577_836_800_000_000; // 2020-01-01
    private const long MaxSequenceJump = 1_000_000_000_000;

    private long _implausibleRun;

    private long? _lastCursor;
    private bool _lastIsSeq;
    private long _lastTimeUs;
    private int _lastEndpoint;
    private bool _configuredCursorAbandoned;
    private bool _retryAtOnce;
    private string _retryReason = ReconnectFailure;
    private int _attempts;
    private bool _queuedThisAttempt;
    private int _failuresInRow;
    private string _attemptEndpoint;

    // Durable cursor: the last event the subscriber finished, the last one saved, and the chain of saves.
    private JetstreamEvent? _handled;
    private JetstreamEvent? _saved;
    private readonly Lock _saveGate = new();
    private bool _saving;
    private bool _savePending;
    private bool _storeLoaded;
    private volatile bool _stopped;
    private int _lateSaveScheduled;

    // Overflow = ResumeFromCursor: the buffer's depth, and the signal that it drained after a pause.
    private long _depth;
    private long _queuedBytes;
    private TaskCompletionSource? _drained;

    private readonly Lock _gate = new();
    private readonly IReadOnlyList<Uri> _endpoints;
    private int _endpoint;
    private IReadOnlyList<string> _collections;
    private IReadOnlyList<string> _dids;
    private long _filterVersion;
    private SubscribeRequest _request;
    private ConnectionAttempt? _current;

    public JetstreamSession(JetstreamOptions options, JetstreamMetrics metrics, ILogger logger, ZstdDictionaryCache dictionaries)
    {
        Options = options;
        Metrics = metrics;
        Logger = logger;
        _endpoints = EndpointList.Resolve(options);
        _collections = options.WantedCollections;
        _dids = options.WantedDids;
        _request = BuildRequest();
        _attemptEndpoint = _request.DisplayEndpoint;
        if (_endpoints.Count > 1)
        {
            Recent = new RecentEventWindow(options.FailoverDedupeCapacity);
        }

        if (options.Protocol == JetstreamProtocol.V2 && options.Compression == JetstreamCompression.Zstd)
        {
            Compression = new V2Compression(dictionaries, options.DictionarySource, metrics, logger);
        }
    }

    public JetstreamOptions Options { get; }

    /// <summary>The capacity of the buffer between this session and its subscriber (the stream's, or the async handler's queue).</summary>
    public int Capacity { get; set; }

    /// <summary>The byte budget of that buffer (<see cref="JetstreamOptions.BufferByteLimit"/> or the async handler's).</summary>
    public long ByteLimit { get; set; } = long.MaxValue;

    /// <summary>
    /// Whether the reader must stop before an event of <paramref name="size"/> bytes: the overflow policy is to resume from
    /// the cursor and the buffer would drop it, because it is full in events or the event does not fit the byte budget
    /// (the buffer's own rule: one event larger than the budget still enters an empty buffer).
    /// </summary>
    public bool MustPauseBefore(long size)
    {
        if (Options.Overflow != JetstreamOverflow.ResumeFromCursor)
        {
            return false;
        }

        var bytes = Interlocked.Read(ref _queuedBytes);
        return Volatile.Read(ref _depth) >= Capacity || (bytes > 0 && bytes + size > ByteLimit);
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

    public JetstreamMetrics Metrics { get; }

    public ILogger Logger { get; }

    /// <summary>The v2 zstd state, when v2 compression was asked for.</summary>
    public V2Compression? Compression { get; }

    /// <summary>
    /// The identities of recently queued events, when there are several hosts: a resume on another host is rewound,
    /// and what it sends again is dropped by identity.
    /// </summary>
    public RecentEventWindow? Recent { get; }

    /// <summary>
    /// The cursor for the next connection: the last queued event's when it came from the host being connected to;
    /// its <c>time_us</c> minus <see cref="JetstreamOptions.FailoverRewind"/> when it came from another (cursors are
    /// per instance, times roughly agree); else the configured start.
    /// </summary>
    public long? ResumeCursor =>
        _lastCursor is { } c
            ? _lastEndpoint == _endpoint ? c : StoredCursorTime.Rewound(_lastTimeUs, Options.FailoverRewind)
            : _configuredCursorAbandoned ? null : Options.Cursor;

    /// <summary>
    /// The replay floor for the next connection: the last queued event's cursor, when it came from the same host.
    /// Never the configured start cursor, nor a rewound one: a configured cursor asks for an inclusive replay, and a
    /// timestamp must never become a sequence floor. On v2 the floor holds for the whole connection (the server sends
    /// strictly increasing seqs); on v1 it ends at the first newer event, because legacy servers may reorder at the
    /// replay-to-live cutover.
    /// </summary>
    public ReplayFloor? Floor =>
        _lastCursor is { } c && _lastEndpoint == _endpoint ? new ReplayFloor(c, _lastIsSeq, Options.Protocol == JetstreamProtocol.V2) : null;

    /// <summary>
    /// The connection events of this session, retried with backoff (no buffer). Subscribing also subscribes to
    /// <see cref="JetstreamOptions.FilterUpdates"/> — first, so that a source that emits at once shapes the first
    /// connection — and disposing ends both.
    /// </summary>
    public IObservable<JetstreamEvent> Connections()
    {
        var retried = new RetryWithBackoffObservable<JetstreamEvent>(
            Observable.Create<JetstreamEvent>(observer =>
            {
                var attempt = new ConnectionAttempt(this, observer, ++_attempts);
                attempt.Start();
                return attempt;
            }),
            Options.Backoff,
            ShouldRetry,
            Options.Scheduler,
            TelemetryGuard.Wrap<RetryAttempt>(OnRetry),
            _ => _retryAtOnce);
        return Observable.Create<JetstreamEvent>(observer =>
        {
            var filters = Options.FilterUpdates?.Subscribe(OnFilter, OnFilterError) ?? Disposable.Empty;
            var saving = StartCursorSaving();
            var connections = retried.Subscribe(observer);

            // The connection goes first, then the final save of the cursor, then the filter source.
            return StableCompositeDisposable.Create(connections, saving, filters);
        });
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
            Options.Scheduler.Schedule(() =>
            {
                Volatile.Write(ref _lateSaveScheduled, 0);
                SaveIfMoved();
            });
        }
    }

    /// <summary>Before the first connection, loads the stored cursor (once); it then counts as the last handled (and queued) event.</summary>
    /// <exception cref="JetstreamCursorStoreException">The store failed.</exception>
    public async Task EnsureStoredCursorAsync(CancellationToken token)
    {
        if (_storeLoaded || Options.CursorStore is not { } store)
        {
            return;
        }

        JetstreamCursor? stored;
        try
        {
            stored = await store.LoadAsync(token).ConfigureAwait(false);
        }
        catch (Exception e) when (!token.IsCancellationRequested)
        {
            Logger.CursorLoadFailed(e);
            throw new JetstreamCursorStoreException($"The cursor store could not load the saved cursor: {e.Message}", e);
        }

        _storeLoaded = true;
        if (stored is null)
        {
            return;
        }

        if (stored.Protocol != Options.Protocol)
        {
            Logger.StoredCursorIgnored(stored.Protocol, Options.Protocol);
            return;
        }

        if (StoredCursorProblem(stored) is { } problem)
        {
            // A bad value in the store (written by an older version, edited by hand, or saved from a hostile server) is
            // not trusted silently: the stream starts as if nothing were stored.
            Metrics.CursorImplausible.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.ReasonTag, "store"));
            Logger.StoredCursorImplausible(stored.Value, problem, Options.Cursor is { } c ? $"the configured cursor {c}" : "the live tail");
            return;
        }

        // Our own handled cursor, so it may seed the replay floor: a restart does not deliver that event again. From
        // another host (or one no longer configured), the resume goes by time_us minus the rewind instead.
        _lastCursor = stored.Value;
        _lastIsSeq = stored.IsSequence;
        _lastTimeUs = StoredCursorTime.Of(stored, Logger);
        _lastEndpoint = -1;
        for (var i = 0; i < _endpoints.Count; i++)
        {
            if (string.Equals(_endpoints[i].Authority, stored.Host, StringComparison.OrdinalIgnoreCase))
            {
                _lastEndpoint = i;
                break;
            }
        }

        Logger.StoredCursorLoaded(stored.Value, stored.IsSequence ? "seq" : "time_us", stored.Host);
    }

    /// <summary>
    /// Why <paramref name="e"/>'s cursor cannot be right, or <see langword="null"/> when it may become the resume cursor:
    /// <c>time_us</c> in (0, 2100-01-01] and, while the clock reads a real date, at most
    /// <see cref="JetstreamOptions.CursorClockTolerance"/> past the later of the clock and the last trusted cursor; a
    /// sequence number in [1, 10^15) (a server reads larger values as timestamps) and at most 10^12 past the last one
    /// from the same host.
    /// </summary>
    /// <param name="e">The event.</param>
    /// <param name="nowUs">The scheduler's clock, in unix microseconds.</param>
    public string? CursorProblem(JetstreamEvent e, long nowUs)
    {
        if (TimeProblem(e.TimeUs, nowUs) is { } timeProblem)
        {
            return timeProblem;
        }

        if (e.ServerCursor is { } seq)
        {
            if (SequenceProblem(seq) is { } seqProblem)
            {
                return seqProblem;
            }

            if (_lastCursor is { } last && _lastIsSeq && _lastEndpoint == _endpoint && seq - last > MaxSequenceJump)
            {
                return $"seq {seq} is more than 10^12 past the last seq {last}";
            }
        }

        return null;
    }

    /// <summary>An event with an implausible cursor is being delivered: counted, and logged once per run of them.</summary>
    public void CursorImplausible(string problem)
    {
        Metrics.CursorImplausible.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.ReasonTag, "event"));
        if (_implausibleRun++ == 0)
        {
            Logger.ImplausibleCursor(_attemptEndpoint, problem, _lastCursor);
        }
    }

    /// <summary>A plausible cursor arrived: ends a run of implausible ones.</summary>
    public void CursorPlausible()
    {
        if (_implausibleRun > 0)
        {
            Logger.ImplausibleCursorsEnded(_implausibleRun);
            _implausibleRun = 0;
        }
    }

    /// <summary>
    /// The host's sequence numbers went back below the cursor sent: its instance was replaced. Reported as a gap (with
    /// <see cref="JetstreamGap.SequenceReset"/>), counted and logged; the caller drops the replay floor, and the next
    /// delivered event rebases the cursor.
    /// </summary>
    public void SequenceReset(long cursor, JetstreamEvent first, SubscribeRequest request)
    {
        var gap = new JetstreamGap(request.DisplayEndpoint, cursor, first.Cursor, first.TimeUs, null, null) { SequenceReset = true };
        Metrics.SequenceResets.Add(1);
        Logger.SequenceReset(gap.Endpoint, cursor, gap.FirstCursor);
        ReportGap(gap);
    }

    private string? StoredCursorProblem(JetstreamCursor stored)
    {
        var nowUs = (Options.Scheduler.Now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;
        if (stored.IsSequence)
        {
            // A store may not know the time of a sequence cursor: 0 means unknown there, not implausible.
            return SequenceProblem(stored.Value) ?? (stored.TimeUs == 0 ? null : TimeProblem(stored.TimeUs, nowUs));
        }

        // A time cursor is its own time: a TimeUs of 0 (an older file, another store) is unknown, not implausible.
        return TimeProblem(stored.Value, nowUs) ?? (stored.TimeUs == stored.Value || stored.TimeUs == 0 ? null : TimeProblem(stored.TimeUs, nowUs));
    }

    private string? TimeProblem(long timeUs, long nowUs)
    {
        if (timeUs <= 0)
        {
            return $"time_us {timeUs} is not positive";
        }

        if (timeUs > MaxPlausibleTimeUs)
        {
            return $"time_us {timeUs} is after the year 2100";
        }

        var tolerance = Options.CursorClockTolerance;
        if (tolerance != Timeout.InfiniteTimeSpan && nowUs > ClockMeaningfulAfterUs)
        {
            var reference = _lastCursor is not null ? Math.Max(nowUs, _lastTimeUs) : nowUs;
            if (timeUs - reference > tolerance.Ticks / TicksPerMicrosecond)
            {
                return $"time_us {timeUs} is {(timeUs - nowUs) / 1e6:0.#} s ahead of the clock";
            }
        }

        return null;
    }

    private static string? SequenceProblem(long seq) =>
        seq <= 0 ? $"seq {seq} is not positive"
        : seq >= TimestampCursorThreshold ? $"seq {seq} is 10^15 or more, which a server reads as a timestamp"
        : null;

    /// <summary>After an overflow pause, waits until the subscriber has drained the buffer to half.</summary>
    public async Task WaitForDrainAsync(CancellationToken token)
    {
        if (Volatile.Read(ref _drained) is not { } drained)
        {
            return;
        }

        await drained.Task.WaitAsync(token).ConfigureAwait(false);
        Volatile.Write(ref _drained, null);
        Metrics.OverflowResumes.Add(1);
        Logger.OverflowResumed();
    }

    /// <summary>The reader stopped for a full buffer: the next attempt waits for the drain.</summary>
    public void Paused()
    {
        // Continuations run inline where the drain completes it, so that a virtual-time scheduler sees the reconnect.
        var drained = new TaskCompletionSource();
        Interlocked.Exchange(ref _drained, drained);
        Metrics.OverflowPauses.Add(1);
        Logger.OverflowPaused(Capacity);

        // The drain may have happened between the check and now.
        if (Interlocked.Read(ref _depth) <= Capacity / 2)
        {
            drained.TrySetResult();
        }
    }

    /// <summary>
    /// Checks the first event after connecting with <paramref name="cursor"/> for a likely gap: a timestamp cursor far
    /// older than the event, or, on an unfiltered stream, skipped sequence numbers.
    /// </summary>
    public void CheckGap(long cursor, JetstreamEvent first, SubscribeRequest request)
    {
        JetstreamGap? gap = null;
        if (cursor >= TimestampCursorThreshold)
        {
            var gapUs = first.TimeUs - cursor;
            if (Options.GapThreshold != Timeout.InfiniteTimeSpan && gapUs > Options.GapThreshold.Ticks / TicksPerMicrosecond)
            {
                gap = new JetstreamGap(request.DisplayEndpoint, cursor, first.Cursor, first.TimeUs, TimeSpan.FromTicks(gapUs * TicksPerMicrosecond), null);
            }
        }
        else if (first.ServerCursor is { } seq && seq > cursor + 1 && request.Collections.Count == 0 && request.Dids.Count == 0 && Options.Kinds.Count == 0)
        {
            gap = new JetstreamGap(request.DisplayEndpoint, cursor, seq, first.TimeUs, null, seq - cursor - 1);
        }

        if (gap is null)
        {
            return;
        }

        Metrics.Gaps.Add(1);
        Logger.GapDetected(gap.Endpoint, gap.RequestedCursor, gap.FirstCursor, gap.Duration is { } d ? $"{d.TotalSeconds:0.###} s later" : $"{gap.MissingSequences} sequence numbers skipped");
        ReportGap(gap);
    }

    private void ReportGap(JetstreamGap gap)
    {
        // On the scheduler, not on the socket reader: a slow observer must not stall the socket.
        if (Options.Gaps is { } gaps)
        {
            GapNotifier.Of(gaps, Options.Scheduler, Logger).Report(gap);
        }
    }

    private IDisposable StartCursorSaving()
    {
        if (Options.CursorStore is null)
        {
            return Disposable.Empty;
        }

        var timer = Options.Scheduler.SchedulePeriodic(Options.CursorSaveInterval, SaveIfMoved);
        return Disposable.Create(() =>
        {
            timer.Dispose();
            _stopped = true;
            SaveIfMoved();
        });
    }

    private void SaveIfMoved()
    {
        var store = Options.CursorStore!;
        JetstreamEvent? e;
        lock (_saveGate)
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

        var host = e.EndpointIndex >= 0 && e.EndpointIndex < _endpoints.Count ? _endpoints[e.EndpointIndex].Authority : CurrentAuthority();
        _ = SaveAsync(store, JetstreamCursor.Of(e, Options.Protocol, host), e);
    }

    private string CurrentAuthority()
    {
        lock (_gate)
        {
            return _endpoints[_endpoint].Authority;
        }
    }

    private async Task SaveAsync(ICursorStore store, JetstreamCursor cursor, JetstreamEvent savedEvent)
    {
        try
        {
            await store.SaveAsync(cursor, CancellationToken.None).ConfigureAwait(false);
            Metrics.CursorSaves.Add(1);
        }
#pragma warning disable CA1031 // A failed save is retried by the next one; the stream goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TelemetryGuard.Run(Logger.CursorSaveFailed, e);

            // Not saved after all: the next interval (or the final save) tries this event again.
            lock (_saveGate)
            {
                if (ReferenceEquals(_saved, savedEvent))
                {
                    _saved = null;
                }
            }
        }

        bool again;
        lock (_saveGate)
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
    }

    /// <summary>Registers the attempt that is starting; returns the request it connects with and that filter's version.</summary>
    public (SubscribeRequest Request, long FilterVersion, int Endpoint) AttemptStarted(ConnectionAttempt attempt)
    {
        _queuedThisAttempt = false;
        lock (_gate)
        {
            _current = attempt;
            _attemptEndpoint = _request.DisplayEndpoint;
            return (_request, _filterVersion, _endpoint);
        }
    }

    public void AttemptEnded(ConnectionAttempt attempt)
    {
        lock (_gate)
        {
            if (_current == attempt)
            {
                _current = null;
            }
        }
    }

    /// <summary>The latest filter and its version, for a v1 <c>options_update</c>.</summary>
    public (IReadOnlyList<string> Collections, IReadOnlyList<string> Dids, long Version) LatestFilter()
    {
        lock (_gate)
        {
            return (_request.Collections, _request.Dids, _filterVersion);
        }
    }

    /// <summary>Records that <paramref name="e"/> is queued for the subscriber (passed to the buffer): the next reconnect resumes from it.</summary>
    public void Advance(JetstreamEvent e)
    {
        _lastCursor = e.Cursor;
        _lastIsSeq = e.ServerCursor is not null;
        _lastTimeUs = e.TimeUs;
        _lastEndpoint = _endpoint;
        _queuedThisAttempt = true;
        _failuresInRow = 0;
    }

    public void DepthChanged(int delta, long bytes)
    {
        Metrics.BufferDepth.Add(delta);
        var depth = Interlocked.Add(ref _depth, delta);
        var queuedBytes = Interlocked.Add(ref _queuedBytes, bytes);
        if (delta < 0 && depth <= Capacity / 2 && queuedBytes <= ByteLimit / 2 && Volatile.Read(ref _drained) is { Task.IsCompleted: false } drained)
        {
            // Resume from the scheduler, not from inside the queue's dequeue on the subscriber's thread.
            Options.Scheduler.Schedule(drained, static (_, d) =>
            {
                d.TrySetResult();
                return Disposable.Empty;
            });
        }
    }

    public void Dropped(JetstreamEvent item, bool firstInEpisode, int capacity)
    {
        Metrics.EventsDropped.Add(1);
        if (firstInEpisode)
        {
            Logger.BufferFull(capacity);
        }
    }

    public void EpisodeEnded(long dropped) => Logger.BufferRecovered(dropped);

    private void OnFilter(JetstreamFilter filter)
    {
        var errors = OptionsValidation.FilterErrors(filter, Options).ToList();
        if (errors.Count > 0)
        {
            Metrics.FilterUpdates.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.OutcomeTag, "rejected"));
            // Filters are never logged above Debug: the Warning names the fields at fault, not their values.
            if (Logger.IsEnabled(LogLevel.Warning))
            {
                Logger.FilterUpdateRejected(string.Join("; ", errors.Select(FieldOf).Distinct(StringComparer.Ordinal)));
            }

            if (Logger.IsEnabled(LogLevel.Debug))
            {
                Logger.FilterUpdateRejectedDetail(string.Join(" ", errors));
            }
            return;
        }

        ConnectionAttempt? current;
        bool changed;
        lock (_gate)
        {
            var request = new SubscribeRequest(Options, _endpoints[_endpoint], filter.WantedCollections, filter.WantedDids);
            changed = !request.Collections.SequenceEqual(_request.Collections, StringComparer.Ordinal)
                || !request.Dids.SequenceEqual(_request.Dids, StringComparer.Ordinal);
            _collections = filter.WantedCollections;
            _dids = filter.WantedDids;
            _request = request;
            _filterVersion++;
            current = _current;
        }

        Metrics.FilterUpdates.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.OutcomeTag, "applied"));

        // v1 sends every update (the server replaces its filter); v2 reconnects only when the filter really changed.
        if (current is not null && (changed || Options.Protocol == JetstreamProtocol.V1))
        {
            current.FilterChanged();
        }
    }

    private static string FieldOf(string error)
    {
        var end = error.Length;
        foreach (var marker in (ReadOnlySpan<string>)[" is ", " has ", ";"])
        {
            var i = error.IndexOf(marker, StringComparison.Ordinal);
            if (i > 0 && i < end)
            {
                end = i;
            }
        }

        return error[..end];
    }

    private void OnFilterError(Exception error) => Logger.FilterUpdatesFailed(error.Message, error);

    private SubscribeRequest BuildRequest() => new(Options, _endpoints[_endpoint], _collections, _dids);

    /// <summary>An attempt failed in a way worth retrying: count it, and after enough in a row move to the next host.</summary>
    private void CountFailure()
    {
        if (_queuedThisAttempt || _endpoints.Count < 2 || ++_failuresInRow < Options.FailoverAfterAttempts)
        {
            return;
        }

        var from = _attemptEndpoint;
        string to;
        lock (_gate)
        {
            _endpoint = (_endpoint + 1) % _endpoints.Count;
            _request = BuildRequest();
            to = _request.DisplayEndpoint;
        }

        Metrics.Failovers.Add(1);
        Logger.FailingOver(_failuresInRow, from, to, ResumeCursor);
        _failuresInRow = 0;
    }

    private bool ShouldRetry(Exception error)
    {
        _retryAtOnce = false;
        _retryReason = ReconnectFailure;
        if (error is FilterChangedException or OverflowPauseException)
        {
            _retryReason = error is FilterChangedException ? ReconnectFilterUpdate : ReconnectOverflowPause;
            return _retryAtOnce = true;
        }

        if (Options.Protocol == JetstreamProtocol.V2 && error is JetstreamHandshakeException handshake)
        {
            // The two v2 rejections with a recovery of their own (PROTOCOL.md §6.2); both reconnect at once.
            if (handshake.Error == UnknownZstdDictionary && Compression?.InUse is { } dictionary)
            {
                // At once after the first rejection; a server rejecting every dictionary is retried with backoff.
                _retryAtOnce = Compression.Rejected(dictionary, handshake.ErrorMessage);
                _retryReason = _retryAtOnce ? ReconnectDictionaryRotated : ReconnectFailure;
                return true;
            }

            if (handshake.Error == CursorTooOld && Options.OnCursorTooOld == JetstreamCursorTooOldBehavior.RestartFromLive && ResumeCursor is { } cursor)
            {
                Logger.CursorTooOldRestart(cursor, ServerTextLog.Clean(handshake.ErrorMessage));
                Metrics.CursorRestarts.Add(1);
                _lastCursor = null;
                _configuredCursorAbandoned = true;
                _retryReason = ReconnectCursorTooOld;
                return _retryAtOnce = true;
            }
        }

        if (error is JetstreamException { IsRetryable: true })
        {
            CountFailure();
            return true;
        }

        Logger.ConnectionFailed(error.Message, error);
        return false;
    }

    private void OnRetry(RetryAttempt retry)
    {
        // Tagged so that a dashboard alerting on reconnects can tell a failure from a pause or a planned reconnect.
        Metrics.Reconnects.Add(1, new KeyValuePair<string, object?>(JetstreamMetrics.ReasonTag, _retryReason));
        if (retry.Error is OverflowPauseException)
        {
            return;
        }

        if (retry.Error is FilterChangedException)
        {
            var request = Request;
            Logger.FilterUpdateReconnect(request.Collections.Count, request.Dids.Count, request.DisplayEndpoint);
            return;
        }

        Logger.ConnectionLost(_attemptEndpoint, retry.Error.Message, retry.Error is JetstreamConnectionException ? retry.Error.InnerException : null);
        Logger.Reconnecting(retry.Delay.TotalMilliseconds, retry.Attempt);
    }

    /// <summary>Events at or below this cursor, right after a reconnect, are the server's inclusive replay of what was queued.</summary>
    internal readonly record struct ReplayFloor(long Cursor, bool IsSeq, bool Persistent)
    {
        /// <summary>
        /// The server replays inclusively from the cursor, so a sequence number below it is never a replay: the host's
        /// numbering restarted (an instance replaced behind the same name).
        /// </summary>
        public bool IsReset(JetstreamEvent e) => IsSeq && e.ServerCursor is { } seq && seq < Cursor;

        public bool Covers(JetstreamEvent e) => IsSeq ? e.ServerCursor is { } seq && seq <= Cursor : e.TimeUs <= Cursor;
    }
}
