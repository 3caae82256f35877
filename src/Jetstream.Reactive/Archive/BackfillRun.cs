using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

// Why this file is over 300 lines: one backfill run as a single async state machine (plan, sweep, bounded prefetch
// window, live cutover) whose steps share the window and the progress; see ARCHIVE.md for the phases it follows.

namespace Jetstream.Reactive.Archive;

/// <summary>
/// One subscription of <see cref="JetstreamArchive.Backfill"/>: sweep the sealed archive in seq order, cut over to the
/// live socket at max(sealed tip, last seq), and on <c>CursorTooOld</c> sweep again from the last seq. Events are
/// emitted on one logical thread at a time, strictly rising by seq.
/// </summary>
internal sealed class BackfillRun
{
    private const string CursorTooOld = "CursorTooOld";

    private readonly JetstreamBackfillOptions _options;
    private readonly IObserver<JetstreamEvent> _observer;
    private readonly ArchiveMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentBag<JssBlockDecoder> _decoders = [];
    private readonly long _started;
    private readonly string[] _kinds;
    private readonly string[] _dids;
    private readonly string[] _collections;
    private long _lastSeq;
    private long _bytes;
    private JetstreamBackfillProgress _progress = new();

    public BackfillRun(JetstreamBackfillOptions options, IObserver<JetstreamEvent> observer)
    {
        _options = options;
        _observer = observer;
        _metrics = ArchiveMetrics.For(options.Live.MeterFactory);
        _logger = options.Live.LoggerFactory.CreateLogger("Jetstream.Reactive.Archive");
        _started = options.TimeProvider.GetTimestamp();
        _kinds = options.Live.Kinds.Distinct().Select(k => k switch
        {
            JetstreamEventKind.Commit => "commit",
            JetstreamEventKind.Identity => "identity",
            JetstreamEventKind.Account => "account",
            _ => "sync",
        }).ToArray();
        _dids = options.Live.WantedDids.Distinct(StringComparer.Ordinal).ToArray();
        _collections = options.Live.WantedCollections.Distinct(StringComparer.Ordinal).ToArray();
    }

    public async Task RunAsync(CancellationToken token)
    {
        using var http = new ArchiveHttpClient(_options, _metrics, _logger, n =>
        {
            Interlocked.Add(ref _bytes, n);
            _metrics.Bytes.Add(n);
        });
        try
        {
            var cursor = _options.AfterSeq;
            _lastSeq = cursor;
            var stalls = 0;
            for (var cycle = 1; ; cycle++)
            {
                var tip = await SweepAsync(http, cycle, cursor, token).ConfigureAwait(false);
                if (_options.SnapshotOnly)
                {
                    Publish(p => p with { Phase = JetstreamBackfillPhase.Completed });
                    _logger.BackfillCompleted(_lastSeq, _progress.EventsDelivered);
                    return;
                }

                // Never below what was delivered: the live tail may already be past a freshly planned tip.
                var cutover = Math.Max(tip, _lastSeq);
                _lastSeq = cutover;
                _logger.BackfillCutover(tip, _lastSeq, cutover);
                Publish(p => p with { Phase = JetstreamBackfillPhase.Live, LastSeq = cutover });
                var error = await LiveAsync(cutover, token).ConfigureAwait(false);
                if (error is not JetstreamHandshakeException { Error: CursorTooOld })
                {
                    if (error is not null)
                    {
                        throw error;
                    }

                    return;
                }

                var resume = Volatile.Read(ref _lastSeq);
                stalls = resume <= cursor ? stalls + 1 : 0;
                _logger.BackfillCursorTooOld(resume, stalls, JetstreamBackfillOptions.MaxStalls);
                if (stalls >= JetstreamBackfillOptions.MaxStalls)
                {
                    throw new JetstreamArchiveException("subscribeEvents", null, CursorTooOld, string.Create(CultureInfo.InvariantCulture, $"The live socket answered CursorTooOld {stalls} times in a row with no progress past seq {resume}; the archive does not reach the live window."), retryable: false);
                }

                _metrics.Cycles.Add(1);
                cursor = resume;
            }
        }
        finally
        {
            while (_decoders.TryTake(out var decoder))
            {
                decoder.Dispose();
            }
        }
    }

    private async Task<long> SweepAsync(ArchiveHttpClient http, int cycle, long start, CancellationToken token)
    {
        Publish(p => p with { Phase = JetstreamBackfillPhase.Planning, Cycle = cycle, StartSeq = start, LastSeq = Math.Max(start, _lastSeq), SealedTipSeq = 0, PlannedThroughSeq = start });
        long? pinned = null;
        var planCursor = start;
        ArchiveRowFilter? filter = null;
        for (var page = 1; ; page++)
        {
            var plan = await http.PlanAsync(PlanBody(planCursor, pinned ?? _options.BeforeSeq), token).ConfigureAwait(false);
            _logger.BackfillPlanned(page, plan.SealedTipSeq, plan.PlannedThroughSeq, plan.Units.Count);
            if (pinned is null)
            {
                pinned = plan.SealedTipSeq;
                filter = new ArchiveRowFilter(_options.Live.Kinds, _dids, _collections)
                {
                    AfterSeq = (ulong)Math.Max(start, _lastSeq),
                    BeforeSeq = (ulong)(_options.BeforeSeq is { } before ? Math.Min(before, plan.SealedTipSeq) : plan.SealedTipSeq),
                };
                Publish(p => p with { Phase = JetstreamBackfillPhase.Downloading, SealedTipSeq = plan.SealedTipSeq });
            }

            Publish(p => p with
            {
                SegmentsPlanned = p.SegmentsPlanned + plan.Units.Count(u => u.WholeSegment),
                BlocksPlanned = p.BlocksPlanned + plan.Units.Sum(u => u.Ranges.Sum(r => r.Last - r.First + 1)),
            });
            await ReplayPageAsync(http, plan, filter!, token).ConfigureAwait(false);
            _metrics.Pages.Add(1);
            Publish(p => p with { Pages = p.Pages + 1, PlannedThroughSeq = plan.PlannedThroughSeq });

            var previous = planCursor;
            planCursor = plan.PlannedThroughSeq;
            if (planCursor >= pinned)
            {
                return pinned.Value;
            }

            if (planCursor <= previous)
            {
                throw new JetstreamArchiveException("planSnapshot", System.Net.HttpStatusCode.OK, null, string.Create(CultureInfo.InvariantCulture, $"planSnapshot made no progress: plannedThroughSeq {planCursor} after {previous}, sealed tip {pinned}."), retryable: false);
            }
        }
    }

    private string PlanBody(long after, long? before)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WriteArray(w, "kinds", _kinds);
            WriteArray(w, "dids", _dids);
            WriteArray(w, "collections", _collections);
            if (after > 0)
            {
                w.WriteNumber("afterSeq", after);
            }

            if (before is { } b)
            {
                w.WriteNumber("beforeSeq", b);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());

        static void WriteArray(Utf8JsonWriter w, string name, string[] values)
        {
            if (values.Length == 0)
            {
                return;
            }

            w.WriteStartArray(name);
            foreach (var v in values)
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
        }
    }

    /// <summary>
    /// Downloads and decodes the page's blocks with at most <c>DownloadConcurrency</c> in flight, and emits them in plan
    /// order: the window is a FIFO, so a fast later block waits for a slow earlier one and memory stays bounded.
    /// </summary>
    private async Task ReplayPageAsync(ArchiveHttpClient http, ArchivePlan plan, ArchiveRowFilter filter, CancellationToken token)
    {
        var window = new Queue<Pending>();
        var files = new List<ArchiveSegmentFile>();
        Task<ArchiveSegmentFile>? prefetch = null;
        var prefetchUnit = -1;
        try
        {
            for (var u = 0; u < plan.Units.Count; u++)
            {
                var unit = plan.Units[u];
                if (!unit.WholeSegment)
                {
                    foreach (var (first, last) in unit.Ranges)
                    {
                        for (var i = first; i <= last; i++)
                        {
                            var index = i;
                            await EnqueueAsync(window, new Pending(Task.Run(() => FetchBlockAsync(http, unit.Name, index, filter, token), token), null), token).ConfigureAwait(false);
                        }
                    }

                    continue;
                }

                var download = prefetchUnit == u ? prefetch! : http.GetSegmentAsync(unit.Name, token);
                prefetch = null;
                var next = NextWholeSegment(plan, u + 1);
                if (next >= 0)
                {
                    // Run one segment ahead: at most two segment files exist at once.
                    prefetch = http.GetSegmentAsync(plan.Units[next].Name, token);
                    prefetchUnit = next;
                }

                var file = await download.ConfigureAwait(false);
                files.Add(file);
                _metrics.Segments.Add(1);
                var wanted = Enumerable.Range(0, file.Blocks.Count)
                    .Where(i => file.Blocks[i].EventCount > 0 && file.Blocks[i].MaxSeq > filter.AfterSeq && (filter.BeforeSeq is not { } b || file.Blocks[i].MinSeq <= b))
                    .ToList();
                Publish(p => p with { SegmentsDone = p.SegmentsDone + 1, BlocksPlanned = p.BlocksPlanned + wanted.Count, BytesDownloaded = Interlocked.Read(ref _bytes) });
                if (wanted.Count == 0)
                {
                    files.Remove(file);
                    file.Dispose();
                    continue;
                }

                foreach (var index in wanted)
                {
                    var release = index == wanted[^1] ? file : null;
                    await EnqueueAsync(window, new Pending(Task.Run(() => DecodeFromFileAsync(http, file, unit.Name, index, filter, token), token), release), token).ConfigureAwait(false);
                }
            }

            while (window.Count > 0)
            {
                await EmitAsync(window.Dequeue(), token).ConfigureAwait(false);
            }
        }
        finally
        {
            if (window.Count > 0)
            {
                // Let in-flight workers finish before their files go away; their results are dropped.
                try
                {
                    await Task.WhenAll(window.Select(p => p.Block)).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The failure that got us here is the one reported.
                }
            }

            if (prefetch is not null)
            {
                _ = prefetch.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }

            foreach (var file in files)
            {
                file.Dispose();
            }
        }
    }

    private static int NextWholeSegment(ArchivePlan plan, int from)
    {
        for (var i = from; i < plan.Units.Count; i++)
        {
            if (plan.Units[i].WholeSegment)
            {
                return i;
            }
        }

        return -1;
    }

    private async Task EnqueueAsync(Queue<Pending> window, Pending pending, CancellationToken token)
    {
        window.Enqueue(pending);
        if (window.Count >= _options.DownloadConcurrency)
        {
            await EmitAsync(window.Dequeue(), token).ConfigureAwait(false);
        }
    }

    private async Task EmitAsync(Pending pending, CancellationToken token)
    {
        var block = await pending.Block.ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
        pending.Release?.Dispose();
        _metrics.RowsDecoded.Add(block.Rows);
        _metrics.RowsFiltered.Add(block.FilteredOut);
        foreach (var error in block.Errors)
        {
            _metrics.RowsInvalid.Add(1);
            _logger.BackfillRowInvalid(error.Seq, ArchiveHttpClient.Printable(error.Message));
        }

        var delivered = 0;
        foreach (var e in block.Events)
        {
            // Strictly rising: anything at or below the floor was delivered before (a straddling unit, a re-sweep).
            if (e.Cursor <= _lastSeq)
            {
                continue;
            }

            _lastSeq = e.Cursor;
            _observer.OnNext(e);
            delivered++;
        }

        _metrics.Blocks.Add(1);
        _metrics.EventsDelivered.Add(delivered);
        Publish(p => p with
        {
            BlocksDone = p.BlocksDone + 1,
            EventsDelivered = p.EventsDelivered + delivered,
            RowErrors = p.RowErrors + block.Errors.Count,
            LastSeq = _lastSeq,
            BytesDownloaded = Interlocked.Read(ref _bytes),
        });
    }

    private Task<JssBlock> FetchBlockAsync(ArchiveHttpClient http, string segment, int index, ArchiveRowFilter filter, CancellationToken token) =>
        http.GetBlockAsync(segment, index, frame => Decode(frame, frame.Length, -1, filter), token);

    private async Task<JssBlock> DecodeFromFileAsync(ArchiveHttpClient http, ArchiveSegmentFile file, string segment, int index, ArchiveRowFilter filter, CancellationToken token)
    {
        byte[]? frame = null;
        try
        {
            frame = file.RentFrame(index, out var length);
            return Decode(frame, length, file.Blocks[index].UncompressedSize, filter);
        }
        catch (JssFormatException)
        {
            // The file's XXH3 does not cover block data: a frame damaged in transit is fetched again on its own.
            return await FetchBlockAsync(http, segment, index, filter, token).ConfigureAwait(false);
        }
        finally
        {
            if (frame is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(frame);
            }
        }
    }

    private JssBlock Decode(byte[] frame, int length, long expectedSize, ArchiveRowFilter filter)
    {
        if (!_decoders.TryTake(out var decoder))
        {
            decoder = new JssBlockDecoder();
        }

        try
        {
            return decoder.Decode(frame.AsSpan(0, length), expectedSize, filter);
        }
        finally
        {
            _decoders.Add(decoder);
        }
    }

    private async Task<Exception?> LiveAsync(long cutover, CancellationToken token)
    {
        var filter = new ArchiveRowFilter(_options.Live.Kinds, _dids, _collections);
        var live = _options.Live with { Cursor = cutover, OnCursorTooOld = JetstreamCursorTooOldBehavior.Fail };
        var done = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pastCutover = false;
        using var subscription = JetstreamObservable.Connect(live).Subscribe(
            e =>
            {
                var seq = e.Cursor;
                if (!pastCutover)
                {
                    if (seq <= cutover)
                    {
                        // The server replays the cutover seq itself: the archive delivered it.
                        return;
                    }

                    pastCutover = true;
                }

                // From there on the stream's own replay floor skips what a reconnect repeats, and it delivers a
                // rebased sequence after a server reset. An event whose cursor cannot be right is delivered but never
                // becomes the position (as in the stream itself), so one hostile seq cannot hide every later event.
                if (!e.CursorUntrusted)
                {
                    _lastSeq = seq;
                }

                if (!filter.Wants(e))
                {
                    return;
                }

                _observer.OnNext(e);
                _progress = _progress with { EventsDelivered = _progress.EventsDelivered + 1, LastSeq = seq };
            },
            error => done.TrySetResult(error),
            () => done.TrySetResult(null));
        using var registration = token.Register(() => done.TrySetCanceled(token));
        return await done.Task.ConfigureAwait(false);
    }

    private void Publish(Func<JetstreamBackfillProgress, JetstreamBackfillProgress> change)
    {
        _progress = change(_progress) with { Elapsed = _options.TimeProvider.GetElapsedTime(_started) };
        _options.Progress?.OnNext(_progress);
    }

    private readonly record struct Pending(Task<JssBlock> Block, ArchiveSegmentFile? Release);
}
