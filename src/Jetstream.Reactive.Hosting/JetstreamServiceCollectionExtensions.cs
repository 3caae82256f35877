using Jetstream.Reactive.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Jetstream.Reactive.Hosting;

/// <summary>Registers a hosted Jetstream consumer.</summary>
public static class JetstreamServiceCollectionExtensions
{
    /// <summary>
    /// Registers a Jetstream consumer that starts and stops with the host, configured from <paramref name="configuration"/>
    /// (such as <c>builder.Configuration.GetSection("Jetstream")</c>), bound to <see cref="JetstreamHostingOptions"/>. The
    /// settings are checked when the host starts; each message names its key (<c>Jetstream:BufferCapacity</c>), and so do
    /// keys that are no setting. Add handlers to the returned builder.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section with the settings.</param>
    /// <returns>A builder to add handlers with.</returns>
    public static JetstreamBuilder AddJetstream(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, configuration, null);
    }

    /// <summary>Registers a Jetstream consumer configured in code. The settings are checked when the host starts.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to add handlers with.</returns>
    public static JetstreamBuilder AddJetstream(this IServiceCollection services, Action<JetstreamHostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, null, configure);
    }

    /// <summary>
    /// Registers a Jetstream consumer configured from <paramref name="configuration"/>, then by <paramref name="configure"/>
    /// (for what configuration cannot hold, such as <see cref="JetstreamHostingOptions.FilterUpdates"/>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section with the settings.</param>
    /// <param name="configure">Runs after binding.</param>
    /// <returns>A builder to add handlers with.</returns>
    public static JetstreamBuilder AddJetstream(this IServiceCollection services, IConfiguration configuration, Action<JetstreamHostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, configuration, configure);
    }

    private static JetstreamBuilder AddCore(IServiceCollection services, IConfiguration? configuration, Action<JetstreamHostingOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var setup = services.FirstOrDefault(d => d.ServiceType == typeof(JetstreamSetup))?.ImplementationInstance as JetstreamSetup;
        if (setup is null)
        {
            setup = new JetstreamSetup();
            services.AddSingleton(setup);
            services.AddOptions<JetstreamHostingOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JetstreamHostingOptions>, HostingOptionsValidator>());
            services.TryAddSingleton(static sp => new ConnectionMonitor(sp.GetService<TimeProvider>() ?? TimeProvider.System));
            services.TryAddSingleton<JetstreamHostedService>();
            services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<JetstreamHostedService>());
        }

        if (configuration is not null)
        {
            setup.Sections.Add(configuration);
            services.AddOptions<JetstreamHostingOptions>().Bind(configuration);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new JetstreamBuilder(services);
    }
}
