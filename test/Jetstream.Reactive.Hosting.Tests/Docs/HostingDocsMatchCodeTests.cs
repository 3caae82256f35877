using System.Diagnostics.Metrics;
using System.Reflection;
using Jetstream.Reactive.Hosting.Internal;
using Jetstream.Reactive.Tests.Docs;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests.Docs;

/// <summary>
/// docs/hosting.md's telemetry tables list exactly the hosting package's EventIds (with name and level) and
/// instruments (with unit). Each failure names the missing or stale entry and the table to fix.
/// </summary>
public sealed class HostingDocsMatchCodeTests
{
    private const string Hosting = "docs/hosting.md";

    [Test]
    public void Docs_HostingLogsTable_ListsEveryEventIdWithItsNameAndLevelAndNoOther()
    {
        var table = MarkdownTables.Find(Hosting, "Telemetry", "EventId");
        var documented = table.Rows.ToDictionary(r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture), r => (Name: MarkdownTables.CodeNames(r[1]).Single(), Level: r[2]));
        var logs = typeof(JetstreamHostingOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToDictionary(a => a.EventId);

        var problems = logs.Keys.Where(id => !documented.ContainsKey(id)).Order()
            .Select(id => $"EventId {id} ({logs[id].EventName}) is not documented: add a row for {id} to {table.Where}")
            .Concat(documented.Keys.Where(id => !logs.ContainsKey(id)).Order()
                .Select(id => $"{table.Where} has a row for EventId {id}, which the hosting package does not log: remove it"))
            .Concat(logs
                .Where(l => documented.TryGetValue(l.Key, out var d) && (d.Name != l.Value.EventName || (l.Value.Level != LogLevel.None && d.Level != l.Value.Level.ToString())))
                .Select(l => $"{table.Where} says EventId {l.Key} is `{documented[l.Key].Name}` at {documented[l.Key].Level}; the code says `{l.Value.EventName}` at {l.Value.Level}"))
            .ToList();
        Assert.That(logs, Has.Count.GreaterThanOrEqualTo(10), "the logs were found");
        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    [Test]
    public void Docs_HostingMetricsTable_ListsEveryInstrumentWithItsUnitAndNoOther()
    {
        var table = MarkdownTables.Find(Hosting, "Telemetry", "name");
        var documented = table.Rows.ToDictionary(r => MarkdownTables.CodeNames(r[0]).Single(), r => MarkdownTables.CodeNames(r[2]).SingleOrDefault(), StringComparer.Ordinal);
        using var factory = new ScopedMeterFactory();
        _ = new HostingMetrics(factory, () => []);
        var instruments = new Dictionary<string, string?>(StringComparer.Ordinal);
        using (var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    instruments[instrument.Name] = instrument.Unit;
                }
            },
        })
        {
            listener.Start();
        }

        var problems = instruments.Keys.Where(n => !documented.ContainsKey(n)).Order()
            .Select(n => $"The instrument {n} is not documented: add a row for `{n}` to {table.Where}")
            .Concat(documented.Keys.Where(n => !instruments.ContainsKey(n)).Order()
                .Select(n => $"{table.Where} has a row for `{n}`, which the hosting package does not create: remove or rename it"))
            .Concat(instruments
                .Where(i => documented.TryGetValue(i.Key, out var unit) && unit != i.Value)
                .Select(i => $"{table.Where} gives `{i.Key}` the unit `{documented[i.Key]}`; the code's unit is `{i.Value}`"))
            .ToList();
        Assert.That(instruments, Has.Count.GreaterThanOrEqualTo(4), "the instruments were found");
        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    /// <summary>Meters scoped to this test, so the listener sees only the instruments created here.</summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
