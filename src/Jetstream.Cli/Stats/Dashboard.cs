using System.Globalization;
using Jetstream.Reactive;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Jetstream.Cli.Stats;

/// <summary>Renders a <see cref="StatsSnapshot"/> with Spectre.Console; it computes nothing.</summary>
internal static class Dashboard
{
    private const int BarWidth = 30;

    /// <summary>The whole dashboard.</summary>
    /// <param name="snapshot">The numbers.</param>
    /// <param name="source">What is being measured, such as the endpoint.</param>
    public static IRenderable Render(StatsSnapshot snapshot, string source)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var kinds = new Table().Border(TableBorder.Rounded).Title("events")
            .AddColumn("kind").AddColumn(new TableColumn("total").RightAligned()).AddColumn(new TableColumn("per s").RightAligned());
        kinds.AddRow(new Markup("[bold]all[/]"), new Markup($"[bold]{Count(snapshot.TotalEvents)}[/]"), new Markup($"[bold]{Rate(snapshot.EventsPerSecond)}[/]"));
        foreach (var kind in snapshot.Kinds)
        {
            kinds.AddRow(Name(kind.Kind), Count(kind.Total), Rate(kind.PerSecond));
        }

        var collections = new Table().Border(TableBorder.Rounded).Title($"top collections ({Count(snapshot.CollectionCount)} seen)")
            .AddColumn("collection").AddColumn(new TableColumn("total").RightAligned())
            .AddColumn(new TableColumn("per s").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
        foreach (var c in snapshot.TopCollections)
        {
            collections.AddRow(Markup.Escape(JetstreamText.Printable(c.Collection, 100)), Count(c.Total), Rate(c.PerSecond), (c.Share * 100).ToString("0", CultureInfo.InvariantCulture) + "%");
        }

        if (snapshot.TopCollections.Count == 0)
        {
            collections.AddRow("[grey](no commits yet)[/]", "", "", "");
        }

        var rows = new List<IRenderable>
        {
            new Markup($"[bold]jetstream stats[/] · {Markup.Escape(source)} · running {Duration(snapshot.Elapsed)} · rates over the last {Duration(snapshot.RateWindow)}"),
            new Columns(kinds, collections) { Expand = false },
            new Markup(Connection(snapshot)),
        };
        if (snapshot.CatchUp is { } catchUp)
        {
            rows.Add(new Markup(CatchUpLine(catchUp)));
        }

        return new Rows(rows);
    }

    /// <summary>The connection line: lag, bytes, drops, reconnects.</summary>
    public static string Connection(StatsSnapshot s)
    {
        var lag = s.Lag is { } l ? Duration(l) : "-";
        var drops = s.Dropped > 0 ? $"[red]{Count(s.Dropped)}[/]" : "0";
        return $"lag [bold]{lag}[/] · received {Bytes(s.BytesReceived)} ({Bytes((long)s.BytesPerSecond)}/s) · dropped {drops} · reconnects {Count(s.Reconnects)}"
            + (s.Failovers > 0 ? $" · failovers {Count(s.Failovers)}" : "")
            + (s.MalformedFrames > 0 ? $" · malformed frames {Count(s.MalformedFrames)}" : "");
    }

    /// <summary>The catch-up line with a text progress bar toward now.</summary>
    public static string CatchUpLine(CatchUp c)
    {
        var filled = (int)Math.Round(c.Fraction * BarWidth);
        var bar = new string('█', filled) + new string('░', BarWidth - filled);
        var speed = c.Speed > 0 ? $" · {c.Speed.ToString("0.#", CultureInfo.InvariantCulture)}× real time" : "";
        var eta = c.Remaining is { } r ? $" · live in ~{Duration(r)}" : " · not gaining on now";
        return $"catching up [yellow]{bar}[/] {(c.Fraction * 100).ToString("0", CultureInfo.InvariantCulture)}%{speed}{eta}";
    }

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double value) => value.ToString("N1", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (bytes / 1024.0 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1024.0 / 1024 / 1024).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
    };

    public static string Duration(TimeSpan d) => d.TotalSeconds switch
    {
        < 1 => $"{(int)d.TotalMilliseconds} ms",
        < 60 => d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        < 3600 => $"{(int)d.TotalMinutes} min {d.Seconds} s",
        < 86400 => $"{(int)d.TotalHours} h {d.Minutes} min",
        _ => $"{(int)d.TotalDays} d {d.Hours} h",
    };

    private static string Name(JetstreamEventKind kind) => kind.ToString().ToLowerInvariant();
}
