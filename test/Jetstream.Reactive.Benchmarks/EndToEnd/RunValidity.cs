using System.Globalization;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// The rules under which a run's figures mean anything; the harness refuses (non-zero exit, the reasons printed, no
/// page written) a run that breaks one. Pure logic over the rows, so <c>selfcheck</c> can pin each rule.
/// <list type="bullet">
/// <item>Every wire form that a row read has a ceiling row (the bare <c>ClientWebSocket</c> loop on the same frames).</item>
/// <item>The server is negligible: its own CPU per event on every row's timed connection is at most
/// <see cref="MaxServerCpuShare"/> of the ceiling client's CPU per event on that wire form. A server that costs more
/// competes with the client for the same cores and the row measures the server.</item>
/// <item>No client beats the ceiling of its wire form by more than <see cref="CeilingNoiseMargin"/>: a client that
/// does more work than the bare loop cannot be faster, so such a run measured something else (the old harness
/// reported the library at 121 % of its ceiling because its server was the bottleneck of the raw row).</item>
/// </list>
/// </summary>
internal static class RunValidity
{
    /// <summary>
    /// The server's CPU per event may be at most this share of the ceiling client's CPU per event. The pre-framed server
    /// usually costs 3–8 % of the ceiling client (0.02–0.09 µs against 0.6–1.2 µs); on a loaded machine single runs were
    /// seen at 18 %, so 25 % leaves room for scheduling noise while refusing any server with per-frame work (the old
    /// BlastServer cost 4.5–7 µs per event, several times the ceiling client).
    /// </summary>
    public const double MaxServerCpuShare = 0.25;

    /// <summary>Run-to-run noise allowed above the ceiling (the rows are single processes on a shared machine).</summary>
    public const double CeilingNoiseMargin = 0.10;

    /// <summary>The reasons to refuse the run; empty when its figures can be published.</summary>
    public static IReadOnlyList<string> Refusals(IReadOnlyList<ClientResult> rows)
    {
        var refusals = new List<string>();
        var ceilings = rows.Where(r => r.IsCeiling).GroupBy(r => r.Form).ToDictionary(g => g.Key, g => g.First());
        foreach (var row in rows)
        {
            if (!ceilings.TryGetValue(row.Form, out var ceiling))
            {
                refusals.Add($"{row.Client}: no ceiling row (bare ClientWebSocket loop) for its wire form {row.Form}, so its share of the ceiling is unknown");
                continue;
            }

            if (row.ServerCpuMicrosecondsPerEvent is not { } server || double.IsNaN(server))
            {
                refusals.Add($"{row.Client}: the server recorded no completed connection for it, so its cost is unknown");
            }
            else
            {
                var limit = MaxServerCpuShare * ceiling.CpuMicrosecondsPerEvent;
                if (server > limit)
                {
                    refusals.Add(string.Create(CultureInfo.InvariantCulture, $"{row.Client}: the server spent {server:F3} µs CPU per event, more than {MaxServerCpuShare:P0} of the ceiling client's {ceiling.CpuMicrosecondsPerEvent:F3} µs ({limit:F3} µs): the row measures the server, not the client"));
                }
            }

            if (!row.IsCeiling && row.EventsPerSecond > ceiling.EventsPerSecond * (1 + CeilingNoiseMargin))
            {
                refusals.Add(string.Create(CultureInfo.InvariantCulture, $"{row.Client}: {row.EventsPerSecond:N0} events/s beats the bare ClientWebSocket ceiling ({ceiling.EventsPerSecond:N0} events/s on {row.Form}) by more than the {CeilingNoiseMargin:P0} noise margin: something other than the client limited the ceiling row"));
            }
        }

        return refusals;
    }
}
