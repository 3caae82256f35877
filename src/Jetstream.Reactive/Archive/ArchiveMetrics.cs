using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Jetstream.Reactive.Archive;

/// <summary>The backfill's instruments on the library's meter (<c>jetstream.client.archive.*</c>); no DID or collection tags.</summary>
internal sealed class ArchiveMetrics
{
    public const string EndpointTag = "jetstream.archive.endpoint";

    private static readonly ConditionalWeakTable<IMeterFactory, ArchiveMetrics> ByFactory = [];
    private static readonly string? Version = typeof(ArchiveMetrics).Assembly.GetName().Version?.ToString();
    private static readonly Lazy<ArchiveMetrics> Shared = new(() => new ArchiveMetrics(new Meter(JetstreamTelemetry.MeterName, Version)));

    private ArchiveMetrics(Meter meter)
    {
        Pages = meter.CreateCounter<long>("jetstream.client.archive.pages", "{page}", "planSnapshot pages fully replayed.");
        Segments = meter.CreateCounter<long>("jetstream.client.archive.segments", "{segment}", "Whole segments downloaded and verified.");
        Blocks = meter.CreateCounter<long>("jetstream.client.archive.blocks", "{block}", "Archive blocks replayed.");
        Bytes = meter.CreateCounter<long>("jetstream.client.archive.bytes", "By", "Archive bytes downloaded (segments and blocks, retries included).");
        RowsDecoded = meter.CreateCounter<long>("jetstream.client.archive.rows", "{row}", "Stored rows read from replayed blocks.");
        RowsFiltered = meter.CreateCounter<long>("jetstream.client.archive.rows.filtered", "{row}", "Stored rows the exact filter removed (the plan is a superset).");
        RowsInvalid = meter.CreateCounter<long>("jetstream.client.archive.rows.invalid", "{row}", "Stored rows whose payload could not become an event; the rest of their block is delivered.");
        EventsDelivered = meter.CreateCounter<long>("jetstream.client.archive.events.delivered", "{event}", "Archive events delivered to the subscriber.");
        Retries = meter.CreateCounter<long>("jetstream.client.archive.retries", "{retry}", "Archive calls retried after a retryable failure, by endpoint.");
        Cycles = meter.CreateCounter<long>("jetstream.client.archive.cycles", "{cycle}", "Re-backfills after the live socket answered CursorTooOld.");
    }

    public Counter<long> Pages { get; }

    public Counter<long> Segments { get; }

    public Counter<long> Blocks { get; }

    public Counter<long> Bytes { get; }

    public Counter<long> RowsDecoded { get; }

    public Counter<long> RowsFiltered { get; }

    public Counter<long> RowsInvalid { get; }

    public Counter<long> EventsDelivered { get; }

    public Counter<long> Retries { get; }

    public Counter<long> Cycles { get; }

    public static ArchiveMetrics For(IMeterFactory? factory) =>
        factory is null ? Shared.Value : ByFactory.GetValue(factory, f => new ArchiveMetrics(f.Create(new MeterOptions(JetstreamTelemetry.MeterName) { Version = Version })));
}
