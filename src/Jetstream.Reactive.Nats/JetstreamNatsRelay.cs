using System.Globalization;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Threading.Channels;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Nats.Internal;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

// Why this file is over 300 lines: the relay's three phases (check or create the stream, find the resume point in the
// stream's tail, relay with a bounded publish window and retries) share its options, metrics and counters; the tail
// scan is the next candidate to move out.

namespace Jetstream.Reactive.Nats;

/// <summary>
/// Reads Jetstream once and writes each event into a NATS JetStream stream, exactly once within the stream's duplicate
/// window: the message id is the event's identity (<see cref="JetstreamNatsSubjects.MessageIdOf"/>), so a restarted
/// relay, or a second relay on another Jetstream host, adds no second copy.
/// </summary>
/// <remarks>
/// <para>At start the relay creates or checks the stream, reads its tail and resumes from the cursor it carries (no
/// separate cursor store). Publishes are pipelined: up to <see cref="JetstreamNatsRelayOptions.MaxPendingPublishes"/>
/// wait for their acknowledgement at once. When NATS is slow or down, the window fills, then the buffer, then the
/// Jetstream reader stops and later resumes from its cursor: nothing is dropped. A failed publish sends the whole
/// window again, in order, after a backoff; the server drops the copies it already has.</para>
/// </remarks>
public sealed class JetstreamNatsRelay
{
    private readonly INatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly JetstreamNatsRelayOptions _options;
    private readonly ILogger _logger;
    private readonly NatsMetrics _metrics;
    private long _published;
    private long _duplicates;
    private long _skipped;
    private long _retries;

    /// <summary>Creates a relay; nothing happens until <see cref="RunAsync"/>.</summary>
    /// <param name="connection">The NATS connection (the caller owns it).</param>
    /// <param name="options">The settings; validated now.</param>
    /// <exception cref="JetstreamOptionsException">An option is out of range.</exception>
    public JetstreamNatsRelay(INatsConnection connection, JetstreamNatsRelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _connection = connection;
        _options = options;
        _js = new NatsJSContext(connection, new NatsJSOpts(connection.Opts with { RequestTimeout = options.PublishTimeout }));
        _logger = options.LoggerFactory.CreateLogger(JetstreamTelemetry.LoggerCategory + ".Nats");
        _metrics = NatsMetrics.For(options.MeterFactory);
    }

    /// <summary>Events published and stored (first copies).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Publishes the server acknowledged as duplicates (already in the stream).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Events not published because the stream's tail already held their id (a replay after a restart).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Times the window of unacknowledged publishes was sent again after a failure.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Whether the relay has opened the stream and is reading Jetstream.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled (then it returns normally) or the Jetstream source
    /// fails for good (then it throws that error). NATS being unreachable is never fatal: the relay waits and retries.
    /// </summary>
    /// <param name="cancellationToken">Stops the relay.</param>
    /// <returns>A task that ends when the relay stops.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var resume = await PrepareWithRetryAsync(cancellationToken).ConfigureAwait(false);
            await RelayAsync(resume, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end.
        }
        finally
        {
            IsRunning = false;
            _logger.RelayStopped(Published, Duplicates);
        }
    }

    /// <summary>nats-server's error code for "no suitable peers for placement" (JSClusterNoPeersErr).</summary>
    private const int NoSuitablePeers = 10005;

    /// <summary>
    /// Checks (or creates) the stream and reads its tail, retrying both with backoff: a NATS request that fails or times
    /// out on the way (a loaded server, a stream removed meanwhile) is as transient here as anywhere, and must not stop
    /// the relay before it has started.
    /// </summary>
    private async Task<ResumePoint> PrepareWithRetryAsync(CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await EnsureStreamAsync(ct).ConfigureAwait(false);
                return await ReadTailAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not JetstreamOptionsException && !ct.IsCancellationRequested)
            {
                var delay = _options.Backoff.GetDelay(attempt, Random.Shared.NextDouble());
                _logger.StreamUnavailable(e, _options.Stream.Name, attempt + 1, delay);
                await DelayAsync(delay, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task EnsureStreamAsync(CancellationToken ct)
    {
        var s = _options.Stream;
        try
        {
            var existing = await _js.GetStreamAsync(s.Name, cancellationToken: ct).ConfigureAwait(false);
            var config = existing.Info.Config;
            var subjects = config.Subjects ?? [];
            if (!subjects.Contains(s.AllSubjects))
            {
                throw new JetstreamOptionsException($"The NATS stream '{s.Name}' holds subjects [{string.Join(", ", subjects)}]; the relay writes to '{s.AllSubjects}', which the stream must hold (JetstreamNatsRelayOptions.Stream.SubjectPrefix).");
            }

            if (config.DuplicateWindow < TimeSpan.FromSeconds(1))
            {
                throw new JetstreamOptionsException($"The NATS stream '{s.Name}' has a duplicate window of {config.DuplicateWindow}; exactly-once needs at least 1 second (set duplicate_window on the stream).");
            }

            _logger.StreamChecked(s.Name, existing.Info.State.Messages, existing.Info.State.LastSeq);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            if (!_options.CreateStream)
            {
                throw new JetstreamOptionsException($"The NATS stream '{s.Name}' does not exist and JetstreamNatsRelayOptions.CreateStream is false.");
            }

            _logger.StreamCreating(s.Name);
            if (!await CreateStreamAsync(s, ct).ConfigureAwait(false))
            {
                // Created by someone else between the lookup and the create (active-active relays starting together):
                // checked like any existing stream.
                _logger.StreamCreatedMeanwhile(s.Name);
                await EnsureStreamAsync(ct).ConfigureAwait(false);
                return;
            }

            _logger.StreamCreated(s.Name, s.AllSubjects, s.Replicas, s.DuplicateWindow);
        }
    }

    /// <returns>False when the server refused because the stream exists by now (someone created it meanwhile).</returns>
    private async Task<bool> CreateStreamAsync(JetstreamNatsStreamOptions s, CancellationToken ct)
    {
        try
        {
            await _js.CreateStreamAsync(
                new StreamConfig(s.Name, [s.AllSubjects])
                {
                    Storage = s.Storage,
                    NumReplicas = s.Replicas,
                    Retention = s.Retention,
                    MaxAge = s.MaxAge,
                    MaxBytes = s.MaxBytes,
                    DuplicateWindow = s.DuplicateWindow,
                },
                ct).ConfigureAwait(false);
            return true;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 400 && e.Error.ErrCode != NoSuitablePeers)
        {
            // Two relays starting together both find no stream and both create it; the loser is refused ("subjects
            // overlap", "name already in use") although the stream it wants now exists.
            if (await StreamExistsAsync(s.Name, ct).ConfigureAwait(false))
            {
                return false;
            }

            // A configuration the server refuses (subjects that overlap another stream, an invalid setting) will not get
            // better by waiting: stop with the server's reason. "No suitable peers for placement" is not in this group:
            // a cluster that has just formed, or is re-forming, answers it until its nodes know each other, so it is
            // retried with backoff like an unavailable server (logged each time, so a cluster too small for the
            // replicas asked for shows in the logs).
            throw new JetstreamOptionsException($"nats-server refused to create the stream '{s.Name}' on '{s.AllSubjects}' (replicas {s.Replicas}): {JetstreamNatsSubjects.Neutralize(e.Error.Description)} (error {e.Error.ErrCode}).");
        }
    }

    private async Task<bool> StreamExistsAsync(string name, CancellationToken ct)
    {
        try
        {
            await _js.GetStreamAsync(name, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return false;
        }
    }

    /// <summary>Reads the last <see cref="JetstreamNatsRelayOptions.ResumeScan"/> messages: their ids, and the cursor to resume from.</summary>
    private async Task<ResumePoint> ReadTailAsync(CancellationToken ct)
    {
        var stream = await _js.GetStreamAsync(_options.Stream.Name, cancellationToken: ct).ConfigureAwait(false);
        var state = stream.Info.State;
        var known = new HashSet<string>(StringComparer.Ordinal);
        if (state.Messages == 0)
        {
            _logger.Resuming(_options.Source.Cursor, "empty stream", 0);
            return new ResumePoint(_options.Source.Cursor, known);
        }

        var last = state.LastSeq;
        var first = Math.Max(state.FirstSeq, last >= (ulong)_options.ResumeScan ? last - (ulong)_options.ResumeScan + 1 : 1);
        var consumer = await _js.CreateOrderedConsumerAsync(
            _options.Stream.Name,
            new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq = first, FilterSubjects = [_options.Stream.AllSubjects] },
            ct).ConfigureAwait(false);

        var hosts = SourceHosts();
        var check = new TailCursorCheck(_options.Source);
        long? ownMin = null;
        long? anyMinTimeUs = null;
        var untrusted = 0;
        var seq = first - 1;
        while (seq < last)
        {
            var before = seq;
            await foreach (var msg in consumer.FetchAsync<NatsMemoryOwner<byte>>(new NatsJSFetchOpts { MaxMsgs = (int)Math.Min(last - seq, 1000UL), Expires = TimeSpan.FromSeconds(2) }, cancellationToken: ct).ConfigureAwait(false))
            {
                msg.Data.Dispose();
                seq = msg.Metadata?.Sequence.Stream ?? seq + 1;
                if (msg.Headers is not { } h)
                {
                    continue;
                }

                if (h.TryGetValue("Nats-Msg-Id", out var id))
                {
                    known.Add(id.ToString());
                }

                // The oldest cursor is the resume point, so one hostile value (time_us 0, a seq of 10^18) would move it
                // anywhere: a cursor the source did not trust when the event was relayed, or that fails the same rule
                // now (a message written by something else), never counts. Its id still does.
                long? timeUs = h.TryGetValue(JetstreamNatsSubjects.TimeUsHeader, out var t) && long.TryParse(t.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var tu) ? tu : null;
                long? cursor = h.TryGetValue(JetstreamNatsSubjects.CursorHeader, out var c) && long.TryParse(c.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cu) ? cu : null;
                if (h.ContainsKey(JetstreamNatsSubjects.CursorUntrustedHeader) || timeUs is not { } time || !check.IsPlausible(time, cursor))
                {
                    untrusted++;
                }
                else
                {
                    anyMinTimeUs = anyMinTimeUs is { } m ? Math.Min(m, time) : time;
                    if (cursor is { } ownCursor && h.TryGetValue(JetstreamNatsSubjects.HostHeader, out var host) && hosts.Contains(host.ToString()))
                    {
                        ownMin = ownMin is { } o ? Math.Min(o, ownCursor) : ownCursor;
                    }
                }

                if (seq >= last)
                {
                    break;
                }
            }

            if (seq == before)
            {
                // Messages removed meanwhile (age limit): what was read is enough.
                break;
            }
        }

        if (untrusted > 0)
        {
            _logger.ResumeIgnoredUntrusted(untrusted);
        }

        if (ownMin is { } own)
        {
            _logger.Resuming(own, "this host's oldest cursor in the stream's tail", known.Count);
            return new ResumePoint(own, known);
        }

        if (anyMinTimeUs is { } anyTime)
        {
            var cursor = anyTime - (_options.ForeignHostRewind.Ticks / (TimeSpan.TicksPerMillisecond / 1000));
            _logger.Resuming(cursor, "time_us of a tail written from another host, rewound", known.Count);
            return new ResumePoint(cursor, known);
        }

        _logger.Resuming(_options.Source.Cursor, "no relay headers in the stream's tail", known.Count);
        return new ResumePoint(_options.Source.Cursor, known);
    }

    private HashSet<string> SourceHosts()
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { _options.Source.Endpoint.Authority };
        foreach (var e in _options.Source.Endpoints)
        {
            hosts.Add(e.Authority);
        }

        return hosts;
    }

    private async Task RelayAsync(ResumePoint resume, CancellationToken ct)
    {
        var source = _options.Source with
        {
            Cursor = resume.Cursor,
            RetainRawJson = true,
            Overflow = JetstreamOverflow.ResumeFromCursor,
            BufferCapacity = _options.BufferCapacity,
        };

        // The reader fills this channel; when it is full the handler waits, the stream's buffer fills and the reader
        // stops (Overflow = ResumeFromCursor), so NATS being slow never loses an event.
        var channel = Channel.CreateBounded<JetstreamEvent>(new BoundedChannelOptions(_options.MaxPendingPublishes) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var known = resume.Known;
        var endpoints = source.Endpoints.Count > 0 ? source.Endpoints : [source.Endpoint];
        var hosts = endpoints.Select(static e => e.Authority).ToArray();

        using var subscription = JetstreamObservable.Connect(source).SubscribeAsync(
            async (e, token) =>
            {
                if (known.Count > 0 && known.Remove(JetstreamNatsSubjects.MessageIdOf(e)))
                {
                    Interlocked.Increment(ref _skipped);
                    _metrics.Skipped.Add(1);
                    return;
                }

                await channel.Writer.WriteAsync(e, token).ConfigureAwait(false);
            },
            error =>
            {
                channel.Writer.TryComplete(error);
            },
            () =>
            {
                channel.Writer.TryComplete();
            },
            new AsyncHandlerOptions { BufferCapacity = _options.BufferCapacity, OnHandlerError = HandlerErrorBehavior.Stop });

        IsRunning = true;
        await PublishLoopAsync(channel.Reader, hosts, stop.Token).ConfigureAwait(false);
    }

    private async Task PublishLoopAsync(ChannelReader<JetstreamEvent> reader, string[] hosts, CancellationToken ct)
    {
        var window = new Queue<Pending>(_options.MaxPendingPublishes);
        try
        {
            while (true)
            {
                if (window.Count < _options.MaxPendingPublishes && reader.TryRead(out var e))
                {
                    window.Enqueue(Start(e, hosts, ct));
                    _metrics.Pending.Add(1);
                    continue;
                }

                if (window.Count > 0)
                {
                    await CompleteOldestAsync(window, hosts, ct).ConfigureAwait(false);
                    continue;
                }

                if (!await reader.WaitToReadAsync(ct).ConfigureAwait(false))
                {
                    // The source completed (only a finite test source does): everything is acknowledged.
                    await reader.Completion.ConfigureAwait(false);
                    return;
                }
            }
        }
        finally
        {
            _metrics.Pending.Add(-window.Count);
        }
    }

    private Pending Start(JetstreamEvent e, string[] hosts, CancellationToken ct) => new(e, Publish(e, hosts, ct).AsTask());

    private ValueTask<NatsResult<PubAckResponse>> Publish(JetstreamEvent e, string[] hosts, CancellationToken ct)
    {
        var headers = new NatsHeaders
        {
            [JetstreamNatsSubjects.CursorHeader] = e.Cursor.ToString(CultureInfo.InvariantCulture),
            [JetstreamNatsSubjects.HostHeader] = (uint)e.EndpointIndex < (uint)hosts.Length ? hosts[e.EndpointIndex] : hosts[0],
            [JetstreamNatsSubjects.TimeUsHeader] = e.TimeUs.ToString(CultureInfo.InvariantCulture),
        };
        if (!e.IsCursorTrusted)
        {
            headers[JetstreamNatsSubjects.CursorUntrustedHeader] = "true";
        }
        var subject = JetstreamNatsSubjects.SubjectOf(_options.Stream.SubjectPrefix, e, _options.Stream.Partitions);
        if (e is CommitEvent c && !JetstreamNatsSubjects.IsValidToken(c.Commit.Collection) && _logger.IsEnabled(LogLevel.Debug))
        {
            _logger.InvalidCollection(JetstreamNatsSubjects.Neutralize(c.Commit.Collection));
        }

        // TryPublishAsync reports a duplicate as a value, not an exception: with two relays half the publishes are duplicates.
        return _js.TryPublishAsync(subject, e.RawJson, opts: new NatsJSPubOpts { MsgId = JetstreamNatsSubjects.MessageIdOf(e) }, headers: headers, cancellationToken: ct);
    }

    private async Task CompleteOldestAsync(Queue<Pending> window, string[] hosts, CancellationToken ct)
    {
        var oldest = window.Peek();
        Exception failure;
        try
        {
            Count(await oldest.Ack.ConfigureAwait(false));
            window.Dequeue();
            _metrics.Pending.Add(-1);
            return;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Fall through to the ordered retry below.
            failure = e;
        }

        // Some publishes of the window may have landed, some not: wait for all of them to settle, then send the whole
        // window again one at a time in order. The server drops the copies it already has (same message id).
        for (var attempt = 0; ; attempt++)
        {
            Interlocked.Increment(ref _retries);
            _metrics.PublishRetries.Add(1);
            foreach (var p in window)
            {
                try
                {
                    await p.Ack.ConfigureAwait(false);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // Observed; it is sent again below.
                }
            }

            var delay = _options.Backoff.GetDelay(attempt, Random.Shared.NextDouble());
            _logger.PublishFailed(failure, attempt + 1, window.Count, delay);
            await DelayAsync(delay, ct).ConfigureAwait(false);
            try
            {
                while (window.Count > 0)
                {
                    var p = window.Peek();
                    Count(await Publish(p.Event, hosts, ct).ConfigureAwait(false));
                    window.Dequeue();
                    _metrics.Pending.Add(-1);
                }

                _logger.PublishRecovered(attempt + 1);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                failure = e;

                // Replace what is left with fresh (failed) placeholders so the next round does not await old tasks.
                var rest = window.Select(p => p with { Ack = Task.FromResult<NatsResult<PubAckResponse>>(new NatsJSException("Not sent yet.")) }).ToList();
                window.Clear();
                foreach (var p in rest)
                {
                    window.Enqueue(p);
                }
            }
        }
    }

    private void Count(NatsResult<PubAckResponse> result)
    {
        bool duplicate;
        if (result.Success)
        {
            // EnsureSuccess throws on a duplicate too, which here is the expected answer to a second copy.
            duplicate = result.Value.Duplicate;
            if (!duplicate)
            {
                result.Value.EnsureSuccess();
            }
        }
        else
        {
            duplicate = result.Error is NatsJSDuplicateMessageException ? true : throw result.Error;
        }

        if (duplicate)
        {
            Interlocked.Increment(ref _duplicates);
            _metrics.Published.Add(1, NatsMetrics.Outcome("duplicate"));
        }
        else
        {
            Interlocked.Increment(ref _published);
            _metrics.Published.Add(1, NatsMetrics.Outcome("stored"));
        }
    }

    private Task<long> DelayAsync(TimeSpan delay, CancellationToken ct) =>
        Observable.Timer(delay, _options.Scheduler).ToTask(ct);

    private sealed record Pending(JetstreamEvent Event, Task<NatsResult<PubAckResponse>> Ack);

    private sealed record ResumePoint(long? Cursor, HashSet<string> Known);
}
