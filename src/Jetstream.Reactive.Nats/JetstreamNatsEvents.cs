using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Jetstream.Reactive.Nats.Internal;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Jetstream.Reactive.Nats;

/// <summary>
/// The events of a durable NATS consumer (see <see cref="JetstreamNats.Consume"/>). Subscribing starts one worker.
/// Call <see cref="SubscribeAsync"/> on this stream itself (not after LINQ operators) for acknowledgement after an
/// async handler completes; the library's generic <c>SubscribeAsync</c> on a composed stream would acknowledge each
/// message when it is queued, not when it is handled.
/// </summary>
public sealed class JetstreamNatsEvents : IObservable<JetstreamEvent>
{
    private static readonly Version MultiFilterVersion = new(2, 10);

    private readonly INatsConnection _connection;
    private readonly JetstreamNatsConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly NatsMetrics _metrics;

    internal JetstreamNatsEvents(INatsConnection connection, JetstreamNatsConsumerOptions options)
    {
        _connection = connection;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger(JetstreamTelemetry.LoggerCategory + ".Nats");
        _metrics = NatsMetrics.For(options.MeterFactory);
    }

    /// <summary>Starts a worker that passes each event to <paramref name="observer"/> and acknowledges it when <c>OnNext</c> returns.</summary>
    /// <param name="observer">The observer; an exception from its <c>OnNext</c> nak's or terminates the message.</param>
    /// <returns>Dispose to stop the worker.</returns>
    public IDisposable Subscribe(IObserver<JetstreamEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = new JetstreamNatsSubscription();
        subscription.Completion = RunAsync(
            (e, _) =>
            {
                observer.OnNext(e);
                return ValueTask.CompletedTask;
            },
            subscription,
            observer.OnError);
        return subscription;
    }

    /// <summary>
    /// Starts a worker that awaits <paramref name="handler"/> for one message at a time and acknowledges the message
    /// when it completes; a failure nak's or terminates it per <see cref="JetstreamNatsConsumerOptions.OnHandlerError"/>.
    /// </summary>
    /// <param name="handler">The work per event; receives the subscription's cancellation token.</param>
    /// <param name="onError">Receives a terminal error (the consumer cannot be used, such as a stream whose subjects do not fit). Default none.</param>
    /// <returns>The worker: dispose it to stop.</returns>
    public JetstreamNatsSubscription SubscribeAsync(Func<JetstreamEvent, CancellationToken, Task> handler, Action<Exception>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new JetstreamNatsSubscription();
        subscription.Completion = RunAsync((e, ct) => new ValueTask(handler(e, ct)), subscription, onError);
        return subscription;
    }

    internal JetstreamNatsConsumerOptions Options => _options;

    internal INatsConnection Connection => _connection;

    /// <summary>
    /// The worker loop. With <paramref name="deliver"/> (the hosting source), each decoded event is handed over with its
    /// message and the caller settles it later (<see cref="SettleAsync"/>); otherwise <paramref name="handle"/> is awaited
    /// and the message answered at once. <paramref name="states"/> hears the consumer's connection changes.
    /// </summary>
    internal async Task RunAsync(
        Func<JetstreamEvent, CancellationToken, ValueTask> handle,
        JetstreamNatsSubscription subscription,
        Action<Exception>? onError,
        Func<JetstreamEvent, INatsJSMsg<NatsMemoryOwner<byte>>, ValueTask>? deliver = null,
        IObserver<JetstreamConnectionState>? states = null)
    {
        await Task.Yield();
        var ct = subscription.Token;
        var js = new NatsJSContext(_connection);
        var endpoint = JetstreamNatsSubjects.Endpoint(_connection.Opts.Url);
        for (var attempt = 0; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                states?.OnNext(new JetstreamConnectionState(JetstreamConnectionStatus.Connecting, endpoint, attempt + 1, null, null, TimeSpan.Zero));
                var (consumer, matcher) = await OpenAsync(js, ct).ConfigureAwait(false);
                states?.OnNext(new JetstreamConnectionState(JetstreamConnectionStatus.Connected, endpoint, 0, null, null, TimeSpan.Zero));
                // For the hosting source, a stop drains what the client already holds (DrainOnCancel: no more pulls,
                // the buffered messages still come through), so each reaches the source, which nak's it at stop.
                var opts = new NatsJSConsumeOpts { MaxMsgs = _options.BatchSize, DrainOnCancel = deliver is not null };
                await foreach (var msg in consumer.ConsumeAsync<NatsMemoryOwner<byte>>(opts: opts, cancellationToken: ct).ConfigureAwait(false))
                {
                    attempt = 0;
                    await HandleAsync(msg, matcher, handle, deliver, subscription, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (JetstreamOptionsException e)
            {
                states?.OnNext(new JetstreamConnectionState(JetstreamConnectionStatus.Stopped, endpoint, 0, null, e, TimeSpan.Zero));
                onError?.Invoke(e);
                throw;
            }
            catch (Exception e)
            {
                var delay = _options.Backoff.GetDelay(attempt, Random.Shared.NextDouble());
                _logger.ConsumeFailed(e, attempt + 1, delay);
                states?.OnNext(new JetstreamConnectionState(JetstreamConnectionStatus.Reconnecting, endpoint, attempt + 1, null, e, delay));
                try
                {
                    await Observable.Timer(delay, _options.Scheduler).ToTask(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<(INatsJSConsumer Consumer, SubjectMatcher? Matcher)> OpenAsync(NatsJSContext js, CancellationToken ct)
    {
        await _connection.ConnectAsync().ConfigureAwait(false);
        var subjects = _options.FilterSubjects();
        var config = new ConsumerConfig(_options.ConsumerName)
        {
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = _options.AckWait,
            MaxDeliver = _options.MaxDeliver,
            MaxAckPending = _options.MaxAckPending,
            DeliverPolicy = _options.DeliverPolicy,
        };
        if (_options.InactiveThreshold is { } inactive)
        {
            config.InactiveThreshold = inactive;
        }

        SubjectMatcher? matcher = null;
        if (subjects.Count == 1)
        {
            config.FilterSubject = subjects[0];
        }
        else if (ServerVersion() is { } v && v >= MultiFilterVersion)
        {
            config.FilterSubjects = subjects.ToList();
        }
        else
        {
            // nats-server 2.9 has one filter subject per consumer: read the narrowest one that covers all, skip the rest here.
            var wide = _options.Partitions.Distinct().Count() == 1
                ? string.Concat(_options.Stream.SubjectPrefix, ".", _options.Partitions[0].ToString(System.Globalization.CultureInfo.InvariantCulture), ".>")
                : _options.Stream.AllSubjects;
            config.FilterSubject = wide;
            matcher = new SubjectMatcher(subjects);
            _logger.ClientSideFilter(_connection.ServerInfo?.Version ?? "unknown", _options.ConsumerName, wide);
        }

        var consumer = await js.CreateOrUpdateConsumerAsync(_options.Stream.Name, config, ct).ConfigureAwait(false);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.ConsumerReady(_options.Stream.Name, _options.ConsumerName, string.Join(", ", subjects));
        }

        return (consumer, matcher);
    }

    /// <summary>
    /// Answers a message handed over by <see cref="RunAsync"/>: acknowledged when handled; nak'ed or terminated per
    /// <see cref="JetstreamNatsConsumerOptions.OnHandlerError"/> when a handler failed; nak'ed (delivered again after
    /// <see cref="JetstreamNatsConsumerOptions.NakDelay"/>) when it was not handled at all.
    /// </summary>
    internal async ValueTask SettleAsync(INatsJSMsg<NatsMemoryOwner<byte>> msg, bool handled, bool failed, JetstreamNatsSubscription subscription, CancellationToken cancellationToken = default)
    {
        if (handled)
        {
            await msg.AckAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            subscription.CountHandled();
            _metrics.Consumed.Add(1, NatsMetrics.Outcome("ack"));
            return;
        }

        if (failed)
        {
            subscription.CountFailed();
        }

        var seq = msg.Metadata?.Sequence.Stream ?? 0;
        var delivered = msg.Metadata?.NumDelivered ?? 0;
        if (failed && _options.OnHandlerError == JetstreamNatsHandlerFailure.Terminate)
        {
            _logger.HostedSettled(seq, delivered, "a handler failed", "terminated");
            _metrics.Consumed.Add(1, NatsMetrics.Outcome("term"));
            await msg.AckTerminateAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            _logger.HostedSettled(seq, delivered, failed ? "a handler failed" : "a handler did not get it", "nak'ed for redelivery");
            _metrics.Consumed.Add(1, NatsMetrics.Outcome("nak"));
            await msg.NakAsync(new AckOpts { NakDelay = _options.NakDelay }, cancellationToken).ConfigureAwait(false);
        }
    }

    private Version? ServerVersion()
    {
        var text = _connection.ServerInfo?.Version;
        if (text is null)
        {
            return null;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return Version.TryParse(dash > 0 ? text[..dash] : text, out var v) ? v : null;
    }

    private async ValueTask HandleAsync(INatsJSMsg<NatsMemoryOwner<byte>> msg, SubjectMatcher? matcher, Func<JetstreamEvent, CancellationToken, ValueTask> handle, Func<JetstreamEvent, INatsJSMsg<NatsMemoryOwner<byte>>, ValueTask>? deliver, JetstreamNatsSubscription subscription, CancellationToken ct)
    {
        JetstreamEvent? e;
        using (var data = msg.Data)
        {
            if (matcher is not null && !matcher.Matches(msg.Subject))
            {
                _metrics.Consumed.Add(1, NatsMetrics.Outcome("filtered"));
                await msg.AckAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                return;
            }

            var result = JetstreamEventDecoder.Decode(data.Span);
            e = result.Event;
            if (e is null)
            {
                // Not an event this library can read: redelivery would not change that.
                _metrics.Consumed.Add(1, NatsMetrics.Outcome("undecodable"));
                _logger.Undecodable(msg.Metadata?.Sequence.Stream ?? 0, JetstreamNatsSubjects.Neutralize(msg.Subject), result.ToString());
                // The hosting source's worker drains the client's buffer after the stop: not cancelled, or the rest of it would be lost.
                await msg.AckTerminateAsync(cancellationToken: deliver is null ? ct : CancellationToken.None).ConfigureAwait(false);
                return;
            }
        }

        if (deliver is not null)
        {
            // Settled later, by whoever took it (SettleAsync), or nak'ed by the source at stop; until then the server counts it as pending.
            await deliver(e, msg).ConfigureAwait(false);
            return;
        }

        try
        {
            await handle(e, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: left unacknowledged, it is delivered again.
            throw;
        }
        catch (Exception failure)
        {
            subscription.CountFailed();
            var seq = msg.Metadata?.Sequence.Stream ?? 0;
            var delivered = msg.Metadata?.NumDelivered ?? 0;
            if (_options.OnHandlerError == JetstreamNatsHandlerFailure.Terminate)
            {
                _logger.HandlerFailed(failure, seq, delivered, "terminated");
                _metrics.Consumed.Add(1, NatsMetrics.Outcome("term"));
                await msg.AckTerminateAsync(cancellationToken: ct).ConfigureAwait(false);
            }
            else
            {
                _logger.HandlerFailed(failure, seq, delivered, "nak'ed for redelivery");
                _metrics.Consumed.Add(1, NatsMetrics.Outcome("nak"));
                await msg.NakAsync(new AckOpts { NakDelay = _options.NakDelay }, ct).ConfigureAwait(false);
            }

            return;
        }

        await msg.AckAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        subscription.CountHandled();
        _metrics.Consumed.Add(1, NatsMetrics.Outcome("ack"));
    }
}
