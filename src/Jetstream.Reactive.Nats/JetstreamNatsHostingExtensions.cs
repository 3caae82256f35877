using Jetstream.Reactive.Hosting;
using Jetstream.Reactive.Nats.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;

namespace Jetstream.Reactive.Nats;

/// <summary>Feeds the hosted consumer (Jetstream.Reactive.Hosting) from a durable NATS consumer instead of a Jetstream socket.</summary>
public static class JetstreamNatsHostingExtensions
{
    /// <summary>
    /// The handlers added to <paramref name="builder"/> read from the durable NATS consumer of <paramref name="options"/>
    /// (one worker of it per host: run the host several times to split the work). A message is acknowledged once every
    /// handler handled it; when one threw, it is nak'ed (delivered again after <see cref="JetstreamNatsConsumerOptions.NakDelay"/>)
    /// or terminated per <see cref="JetstreamNatsConsumerOptions.OnHandlerError"/>; when a handler's full buffer dropped it,
    /// or the host stopped before handling it, it is nak'ed, and the host's stop returns once those naks reached nats-server
    /// (bounded by the host's shutdown timeout). The health check adds the NATS connection and the consumer's
    /// backlog. The Jetstream connection settings are unused and no cursor file may be set: the consumer keeps the position.
    /// </summary>
    /// <param name="builder">The builder from <c>AddJetstream</c>.</param>
    /// <param name="options">The consumer; validated now. Its logger and meter factories default to the host's.</param>
    /// <param name="connection">The NATS connection; default the <see cref="INatsConnection"/> registered in the container.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="JetstreamOptionsException">An option is out of range.</exception>
    public static JetstreamBuilder UseNats(this JetstreamBuilder builder, JetstreamNatsConsumerOptions options, Func<IServiceProvider, INatsConnection>? connection = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var stopper = new NatsSourceStopper();
        builder.UseEventSource(services =>
        {
            var resolved = options;
            if (ReferenceEquals(resolved.LoggerFactory, NullLoggerFactory.Instance) && services.GetService<ILoggerFactory>() is { } loggers)
            {
                resolved = resolved with { LoggerFactory = loggers };
            }

            if (resolved.MeterFactory is null && services.GetService<System.Diagnostics.Metrics.IMeterFactory>() is { } meters)
            {
                resolved = resolved with { MeterFactory = meters };
            }

            var nats = connection?.Invoke(services) ?? services.GetService<INatsConnection>()
                ?? throw new InvalidOperationException("UseNats needs a NATS connection: pass one, or register an INatsConnection in the container.");
            return stopper.Track(new NatsEventSource(JetstreamNats.Consume(nats, resolved), services.GetService<TimeProvider>() ?? TimeProvider.System));
        });

        // A hosted service whose StoppedAsync runs after the hosted consumer's stop, before the host's stop returns.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(stopper);
        return builder;
    }
}
