namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>The source registered with <see cref="JetstreamBuilderEventSourceExtensions.UseEventSource"/>.</summary>
internal sealed record EventSourceRegistration(Func<IServiceProvider, IJetstreamEventSource> Factory);
