using Jetstream.Reactive.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Jetstream.Reactive.Hosting;

/// <summary>Feeds the hosted consumer's handlers from an <see cref="IJetstreamEventSource"/> instead of a Jetstream socket.</summary>
public static class JetstreamBuilderEventSourceExtensions
{
    /// <summary>
    /// Reads the handlers' events from the source <paramref name="factory"/> makes (once, when the host starts) instead of
    /// connecting to Jetstream. The connection settings of <see cref="JetstreamHostingOptions"/> are then unused, and no
    /// cursor is saved (<see cref="JetstreamHostingOptions.CursorFile"/> or an <see cref="ICursorStore"/> is an error at start):
    /// the source keeps its position, and each event is settled with it once every handler is done with it.
    /// </summary>
    /// <param name="builder">The builder from <c>AddJetstream</c>.</param>
    /// <param name="factory">Makes the source from the host's services.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">A source is already registered.</exception>
    public static JetstreamBuilder UseEventSource(this JetstreamBuilder builder, Func<IServiceProvider, IJetstreamEventSource> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        if (builder.Services.Any(d => d.ServiceType == typeof(EventSourceRegistration)))
        {
            throw new InvalidOperationException("The hosted Jetstream consumer already has an event source; it reads from one.");
        }

        builder.Services.AddSingleton(new EventSourceRegistration(factory));
        return builder;
    }
}
