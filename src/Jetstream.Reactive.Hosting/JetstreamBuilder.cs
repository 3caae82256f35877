using System.Diagnostics.CodeAnalysis;
using Jetstream.Reactive.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Jetstream.Reactive.Hosting;

/// <summary>Adds handlers to the hosted Jetstream consumer that <see cref="JetstreamServiceCollectionExtensions.AddJetstream(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/> registered.</summary>
public sealed class JetstreamBuilder
{
    internal JetstreamBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection, for registering what the handlers depend on.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Adds a handler that receives events one at a time, each in its own dependency-injection scope. It gets its own
    /// buffer: when it is slower than the stream, events are dropped for it alone, and the other handlers go on.
    /// </summary>
    /// <typeparam name="THandler">The handler class; registered as scoped unless it is already registered.</typeparam>
    /// <param name="configure">Sets the name and buffer capacity; optional.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A setting is out of range, or another handler has the same name.</exception>
    public JetstreamBuilder AddHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(Action<JetstreamHandlerOptions>? configure = null)
        where THandler : class, IJetstreamHandler =>
        Add(typeof(THandler), batch: false, configure, static (provider, events, token) =>
            provider.GetRequiredService<THandler>().HandleAsync(events[0], token));

    /// <summary>
    /// Adds a handler that receives events in batches, each batch in its own dependency-injection scope. It gets its own
    /// buffer: when it is slower than the stream, events are dropped for it alone, and the other handlers go on.
    /// </summary>
    /// <typeparam name="THandler">The handler class; registered as scoped unless it is already registered.</typeparam>
    /// <param name="configure">Sets the name, buffer capacity and batch size; optional.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A setting is out of range, or another handler has the same name.</exception>
    public JetstreamBuilder AddBatchHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(Action<JetstreamHandlerOptions>? configure = null)
        where THandler : class, IJetstreamBatchHandler =>
        Add(typeof(THandler), batch: true, configure, static (provider, events, token) =>
            provider.GetRequiredService<THandler>().HandleAsync(events, token));

    // The container builds the handler through its public constructor: the annotation keeps it through trimming.
    private JetstreamBuilder Add([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type type, bool batch, Action<JetstreamHandlerOptions>? configure, HandlerInvoker invoke)
    {
        var options = new JetstreamHandlerOptions();
        configure?.Invoke(options);
        var name = string.IsNullOrWhiteSpace(options.Name) ? type.Name : options.Name;
        if (options.BufferCapacity is < 1 or > 10_000_000)
        {
            throw new ArgumentException($"JetstreamHandlerOptions.BufferCapacity of handler '{name}' is {options.BufferCapacity}; it must be between 1 and 10,000,000, or null for JetstreamHostingOptions.HandlerBufferCapacity.", nameof(configure));
        }

        if (batch && options.MaxBatchSize is < 1 or > 100_000)
        {
            throw new ArgumentException($"JetstreamHandlerOptions.MaxBatchSize of handler '{name}' is {options.MaxBatchSize}; it must be between 1 and 100,000.", nameof(configure));
        }

        foreach (var existing in Services)
        {
            if (existing.ServiceType == typeof(HandlerRegistration) && existing.ImplementationInstance is HandlerRegistration other && other.Name == name)
            {
                throw new ArgumentException($"A Jetstream handler named '{name}' is already registered; give each registration its own JetstreamHandlerOptions.Name.", nameof(configure));
            }
        }

        Services.TryAdd(ServiceDescriptor.Scoped(type, type));
        Services.AddSingleton(new HandlerRegistration(name, type, batch ? options.MaxBatchSize : 1, options.BufferCapacity, invoke));
        return this;
    }
}
