namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>One cold row: medians of the start → first event and start → N-th event times.</summary>
internal sealed record ColdResult(string Client, string Form, int Events, double FirstEventSeconds, double NthEventSeconds, double MinNthSeconds, double MaxNthSeconds)
{
    public double EventsPerSecond => Events / NthEventSeconds;
}
