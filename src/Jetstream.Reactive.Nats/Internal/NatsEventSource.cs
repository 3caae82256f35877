using System.Collections.Concurrent;
using System.Globalization;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Jetstream.Reactive.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Jetstream.Reactive.Nats.Internal;

/// <summary>
/// A durable NATS consumer as the hosted consumer's event source (<see cref="JetstreamNatsHostingExtensions.UseNats"/>):
/// one worker of the consumer whose events the host's handlers share; each message is answered once every handler is done
/// with it. Health: <c>Degraded</c> while the NATS connection is down or the consumer's backlog is over
/// <see cref="JetstreamNatsConsumerOptions.HealthPendingThreshold"/>; <c>Unhealthy</c> when the connection has been down
/// longer than <see cref="JetstreamNatsConsumerOptions.HealthDisconnectedThreshold"/>.
/// </summary>
internal sealed class NatsEventSource : IJetstreamEventSource
{
    private readonly JetstreamNatsEvents _events;
    private readonly JetstreamNatsConsumerOptions _options;
    private readonly INatsConnection _connection;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _endpoint;
    private readonly Lock _gate = new();
    private DateTimeOffset? _downSince;
    private JetstreamNatsSubscription? _subscription;

    // Every message taken from NATS and not answered yet, by delivery order: what the host never settles (it arrived
    // after the host stopped taking events, or was still inside the client at the stop) is nak'ed by StopAsync.
    private ConcurrentDictionary<long, INatsJSMsg<NatsMemoryOwner<byte>>> _unsettled = new();
    private long _delivered;

    public NatsEventSource(JetstreamNatsEvents events, TimeProvider time)
    {
        _events = events;
        _options = events.Options;
        _connection = events.Connection;
        _time = time;
        _logger = _options.LoggerFactory.CreateLogger(JetstreamTelemetry.LoggerCategory + ".Nats");
        _endpoint = JetstreamNatsSubjects.Endpoint(_connection.Opts.Url);
        Description = $"NATS consumer {_options.ConsumerName} on stream {_options.Stream.Name} at {_endpoint}";
    }

    public string Description { get; }

    public IObservable<JetstreamSourcedEvent> Connect(IObserver<JetstreamConnectionState> states) =>
        Observable.Create<JetstreamSourcedEvent>(observer =>
        {
            var subscription = new JetstreamNatsSubscription();
            var unsettled = new ConcurrentDictionary<long, INatsJSMsg<NatsMemoryOwner<byte>>>();
            lock (_gate)
            {
                _subscription = subscription;
                _unsettled = unsettled;
            }

            // The connection's own reconnects (the consume loop may not notice them until a pull fails).
            ValueTask Disconnected(object? sender, NatsEventArgs args)
            {
                lock (_gate)
                {
                    _downSince ??= _time.GetUtcNow();
                }

                states.OnNext(new JetstreamConnectionState(JetstreamConnectionStatus.Reconnecting, _endpoint, 1, null, new NatsException("The NATS connection was lost: " + JetstreamNatsSubjects.Neutralize(args.Message)), TimeSpan.Zero));
                return ValueTask.CompletedTask;
            }

            ValueTask Opened(object? sender, NatsEventArgs args)
            {
                lock (_gate)
                {
                    _downSince = null;
                }

                states.OnNext(new JetstreamConnectionState(JetstreamConnectionStatus.Connected, _endpoint, 0, null, null, TimeSpan.Zero));
                return ValueTask.CompletedTask;
            }

            _connection.ConnectionDisconnected += Disconnected;
            _connection.ConnectionOpened += Opened;
            subscription.Completion = _events.RunAsync(
                static (_, _) => ValueTask.CompletedTask,
                subscription,
                observer.OnError,
                (e, msg) =>
                {
                    var id = Interlocked.Increment(ref _delivered);
                    unsettled[id] = msg;
                    if (!subscription.Token.IsCancellationRequested)
                    {
                        // Whichever answers first (the host, or StopAsync for what the host never settled) answers alone.
                        observer.OnNext(new JetstreamSourcedEvent(e, outcome => unsettled.TryRemove(id, out _)
                            ? _events.SettleAsync(msg, outcome == JetstreamEventOutcome.Handled, outcome == JetstreamEventOutcome.Failed, subscription)
                            : ValueTask.CompletedTask));
                    }

                    return ValueTask.CompletedTask;
                },
                states);
            return Disposable.Create(() =>
            {
                _connection.ConnectionDisconnected -= Disconnected;
                _connection.ConnectionOpened -= Opened;
                subscription.Dispose();
            });
        });

    /// <summary>
    /// The end of the host's stop, after it settled what its handlers held: waits for the worker to end (it drains what
    /// the NATS client still holds), nak's every message not answered yet, and waits for a PONG after those naks, so they
    /// reached nats-server before the host's stop returns (a connection closed right after drops unsent writes).
    /// Bounded by <paramref name="cancellationToken"/> (the host's stop); skipped while the connection is down.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        JetstreamNatsSubscription? subscription;
        ConcurrentDictionary<long, INatsJSMsg<NatsMemoryOwner<byte>>> unsettled;
        lock (_gate)
        {
            subscription = _subscription;
            unsettled = _unsettled;
        }

        if (subscription is null)
        {
            return;
        }

        subscription.Dispose();
        var naks = 0;
        try
        {
            if (_connection.ConnectionState == NatsConnectionState.Open)
            {
                await subscription.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A terminal error of the worker: already reported to the host.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Given up on the drain: nak what is known so far.
        }

        try
        {
            // Each nak on its own: one that fails does not leave the rest un-nak'ed. Once the host's stop token has
            // fired (a slow drain, or a host timeout already spent) the naks still go out on an open connection, where a
            // nak only enters the client's write buffer; the PING below is what stays bounded by the token.
            var nakToken = cancellationToken.IsCancellationRequested ? CancellationToken.None : cancellationToken;
            foreach (var id in unsettled.Keys.Order())
            {
                if (_connection.ConnectionState != NatsConnectionState.Open)
                {
                    break;
                }

                if (unsettled.TryRemove(id, out var msg))
                {
                    try
                    {
                        await _events.SettleAsync(msg, handled: false, failed: false, subscription, nakToken).ConfigureAwait(false);
                        naks++;
                    }
                    catch (Exception e) when (e is OperationCanceledException or NatsException or ObjectDisposedException)
                    {
                        // Comes back after AckWait instead; the log below counts only the naks written.
                    }
                }
            }

            if (_connection.ConnectionState != NatsConnectionState.Open)
            {
                _logger.HostedStopUnflushed(naks, "the NATS connection is " + _connection.ConnectionState);
                return;
            }

            // NATS answers a PING after every command sent before it: the naks (and the host's own) reached the server.
            await _connection.PingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or NatsException or ObjectDisposedException)
        {
            _logger.HostedStopUnflushed(naks, cancellationToken.IsCancellationRequested ? "the host's stop timed out" : JetstreamNatsSubjects.Neutralize(e.Message));
        }
    }

    public async ValueTask<JetstreamSourceHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, object>
        {
            ["natsConnection"] = _connection.ConnectionState.ToString(),
            ["consumer"] = _options.ConsumerName,
            ["stream"] = _options.Stream.Name,
        };
        JetstreamNatsSubscription? subscription;
        DateTimeOffset? downSince;
        lock (_gate)
        {
            subscription = _subscription;
            downSince = _downSince;
        }

        if (subscription is not null)
        {
            data["acked"] = subscription.Handled;
            data["failed"] = subscription.Failed;
        }

        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            var down = downSince is { } since ? _time.GetUtcNow() - since : TimeSpan.Zero;
            data["disconnectedSeconds"] = down.TotalSeconds;
            var status = down > _options.HealthDisconnectedThreshold ? HealthStatus.Unhealthy : HealthStatus.Degraded;
            return new JetstreamSourceHealth(status, $"The NATS connection to {_endpoint} is {_connection.ConnectionState} ({Seconds(down)} down; Unhealthy after {Seconds(_options.HealthDisconnectedThreshold)})", data);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var info = (await new NatsJSContext(_connection).GetConsumerAsync(_options.Stream.Name, _options.ConsumerName, timeout.Token).ConfigureAwait(false)).Info;
            data["pending"] = info.NumPending;
            data["ackPending"] = info.NumAckPending;
            data["redelivered"] = info.NumRedelivered;
            if (info.NumPending > (ulong)_options.HealthPendingThreshold)
            {
                return new JetstreamSourceHealth(HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"NATS consumer {_options.ConsumerName} lags: {info.NumPending} messages not yet delivered (threshold {_options.HealthPendingThreshold})"), data);
            }

            return new JetstreamSourceHealth(HealthStatus.Healthy, null, data);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.HealthUnavailable(e);
            return new JetstreamSourceHealth(HealthStatus.Degraded, $"NATS consumer {_options.ConsumerName} on stream {_options.Stream.Name} could not be read: {JetstreamNatsSubjects.Neutralize(e.Message)}", data);
        }
    }

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s");
}
