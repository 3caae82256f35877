using System.Diagnostics.Metrics;
using System.Reflection;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Internal;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Records.Internal;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Docs;

/// <summary>
/// The reference tables in docs/ list exactly what the code has: every option of the public options records, every
/// instrument of the library's meter and every <see cref="LoggerMessageAttribute"/> EventId (with its name and level),
/// and nothing the code does not have. Each failure names the missing or stale entry and the doc to fix.
/// </summary>
/// <remarks>
/// To cover another options record, add a case to <see cref="OptionTables"/> with the doc and table that describe it.
/// Instruments and logs are found by reflection over the whole library, so new ones are covered without a change here.
/// </remarks>
public sealed class DocsMatchCodeTests
{
    private const string Configuration = "docs/configuration.md";
    private const string Telemetry = "docs/telemetry.md";

    private static readonly Assembly Library = typeof(JetstreamObservable).Assembly;

    private static IEnumerable<TestCaseData> OptionTables()
    {
        yield return new TestCaseData(typeof(JetstreamOptions), Configuration, "JetstreamOptions", "property").SetArgDisplayNames(nameof(JetstreamOptions));
        yield return new TestCaseData(typeof(BackoffPolicy), Configuration, "BackoffPolicy", "property").SetArgDisplayNames(nameof(BackoffPolicy));
        yield return new TestCaseData(typeof(AsyncHandlerOptions), "docs/backpressure.md", "Async handlers", "`AsyncHandlerOptions`").SetArgDisplayNames(nameof(AsyncHandlerOptions));
    }

    [TestCaseSource(nameof(OptionTables))]
    public void Docs_OptionsTable_ListsEveryPublicPropertyAndNoOther(Type options, string doc, string heading, string firstHeader)
    {
        var table = MarkdownTables.Find(doc, heading, firstHeader);
        var documented = table.Rows.SelectMany(r => MarkdownTables.CodeNames(r[0])).ToHashSet(StringComparer.Ordinal);
        var properties = options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        var problems = Missing(properties, documented, name => $"{options.Name}.{name} is not documented: add a row for `{name}` to {table.Where}")
            .Concat(Missing(documented, properties, name => $"{table.Where} has a row for `{name}`, which is not a public property of {options.Name}: remove or rename it"))
            .ToList();
        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    [Test]
    public void Docs_TelemetryMetricsTable_ListsEveryInstrumentOfTheMeterWithItsUnitAndNoOther()
    {
        var table = MarkdownTables.Find(Telemetry, "Metrics", "name");
        var documented = table.Rows.ToDictionary(r => MarkdownTables.CodeNames(r[0]).Single(), r => MarkdownTables.CodeNames(r[2]).SingleOrDefault(), StringComparer.Ordinal);
        var instruments = LibraryInstruments();

        var problems = Missing(instruments.Keys, documented.Keys, name => $"The instrument {name} is not documented: add a row for `{name}` to {table.Where}")
            .Concat(Missing(documented.Keys.Where(n => n.StartsWith("jetstream.client.", StringComparison.Ordinal)), instruments.Keys, name => $"{table.Where} has a row for `{name}`, which the library's meter does not create: remove or rename it"))
            .Concat(instruments
                .Where(i => documented.TryGetValue(i.Key, out var unit) && unit != i.Value)
                .Select(i => $"{table.Where} gives `{i.Key}` the unit `{documented[i.Key]}`; the code's unit is `{i.Value}`"))
            .ToList();
        Assert.That(instruments, Has.Count.GreaterThanOrEqualTo(20), "the instruments were found");
        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    [Test]
    public void Docs_TelemetryLogsTable_ListsEveryEventIdWithItsNameAndLevelAndNoOther()
    {
        var table = MarkdownTables.Find(Telemetry, "Logs", "EventId");
        var documented = table.Rows.ToDictionary(r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture), r => (Name: MarkdownTables.CodeNames(r[1]).Single(), Level: r[2]));
        var logs = LibraryLogs();

        var problems = Missing(logs.Keys, documented.Keys, id => $"EventId {id} ({logs[id].EventName}) is not documented: add a row for {id} to {table.Where}")
            .Concat(Missing(documented.Keys, logs.Keys, id => $"{table.Where} has a row for EventId {id}, which the library does not log: remove it"))
            .Concat(logs
                .Where(l => documented.TryGetValue(l.Key, out var d) && (d.Name != l.Value.EventName || (l.Value.Level != LogLevel.None && d.Level != l.Value.Level.ToString())))
                .Select(l => $"{table.Where} says EventId {l.Key} is `{documented[l.Key].Name}` at {documented[l.Key].Level}; the code says `{l.Value.EventName}` at {l.Value.Level}"))
            .ToList();
        Assert.That(logs, Has.Count.GreaterThanOrEqualTo(30), "the logs were found");
        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    [Test]
    public void Docs_ReconnectReasons_AreTheOnesTheCodeTags()
    {
        // The reasons are constants in the reconnect policy; the docs must list exactly those, so a dashboard can rely on them.
        var reasons = typeof(Jetstream.Reactive.Reconnect.ReconnectPolicy).GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.StartsWith("Reconnect", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
        var row = MarkdownTables.Find(Telemetry, "Metrics", "name").Rows.Single(r => r[0] == "`jetstream.client.reconnects`");
        var documented = MarkdownTables.CodeNames(row[3]).Where(n => n != JetstreamMetrics.ReasonTag).ToHashSet(StringComparer.Ordinal);

        Assert.That(reasons, Has.Count.GreaterThanOrEqualTo(4));
        Assert.That(documented, Is.EquivalentTo(reasons), $"the tags column of `jetstream.client.reconnects` in {Telemetry}");
    }

    /// <summary>
    /// Every instrument the library creates on the meter of one factory, with its unit. Each set of instruments is a
    /// class with a static <c>For(IMeterFactory?)</c> returning itself (<c>JetstreamMetrics</c>, <c>RecordMetrics</c>, …);
    /// all of them are created, so a new set is covered without a change here.
    /// </summary>
    private static Dictionary<string, string?> LibraryInstruments()
    {
        using var factory = new TestMeterFactory();
        var sets = Library.GetTypes()
            .Select(t => t.GetMethod("For", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(IMeterFactory)]))
            .Where(m => m is not null && m.ReturnType == m.DeclaringType)
            .ToList();
        Assert.That(sets.Select(m => m!.DeclaringType!.Name), Does.Contain(nameof(JetstreamMetrics)).And.Contain(nameof(RecordMetrics)));
        foreach (var set in sets)
        {
            set!.Invoke(null, [factory]);
        }

        var found = new Dictionary<string, string?>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    found[instrument.Name] = instrument.Unit;
                }
            },
        };
        listener.Start();
        return found;
    }

    /// <summary>
    /// Every <see cref="LoggerMessageAttribute"/> in the library, by EventId. A log whose level is a parameter has
    /// <see cref="LogLevel.None"/> here, and its doc row may describe the level in words.
    /// </summary>
    private static Dictionary<int, LoggerMessageAttribute> LibraryLogs() => Library.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
        .OfType<LoggerMessageAttribute>()
        .ToDictionary(a => a.EventId);

    private static IEnumerable<string> Missing<T>(IEnumerable<T> expected, IEnumerable<T> present, Func<T, string> problem)
    {
        var have = present.ToHashSet();
        return expected.Where(e => !have.Contains(e)).Order().Select(problem);
    }
}
