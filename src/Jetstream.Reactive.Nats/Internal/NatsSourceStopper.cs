using Microsoft.Extensions.Hosting;

namespace Jetstream.Reactive.Nats.Internal;

/// <summary>
/// Ends the host's stop for <see cref="JetstreamNatsHostingExtensions.UseNats"/>: its <see cref="StoppedAsync"/> runs after
/// every hosted service stopped (so after the hosted consumer settled what its handlers held) and before the host's
/// stop returns, and makes sure the naks of what was not handled reached nats-server (<see cref="NatsEventSource.StopAsync"/>).
/// A lifecycle hook of the host, so the hosting package needs no NATS-specific stop step.
/// </summary>
internal sealed class NatsSourceStopper : IHostedLifecycleService
{
    private NatsEventSource? _source;

    /// <summary>The source the host created at start (the UseEventSource factory sets it).</summary>
    public NatsEventSource Track(NatsEventSource source)
    {
        Volatile.Write(ref _source, source);
        return source;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <param name="cancellationToken">The host's stop token (its shutdown timeout): a dead NATS cannot hold the stop longer.</param>
    public Task StoppedAsync(CancellationToken cancellationToken) => Volatile.Read(ref _source)?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
