using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jetstream.Reactive.Hosting;

/// <summary>What an <see cref="IJetstreamEventSource"/> adds to the health check.</summary>
/// <param name="Status">The source's own status; a status worse than the connection's decides the result.</param>
/// <param name="Description">Why, when not <see cref="HealthStatus.Healthy"/>; <see langword="null"/> otherwise.</param>
/// <param name="Data">Numbers behind it (such as the log's backlog), added to the check's data under <c>source.</c>.</param>
public sealed record JetstreamSourceHealth(HealthStatus Status, string? Description, IReadOnlyDictionary<string, object> Data);
