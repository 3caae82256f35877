using System.Text.Json.Nodes;

namespace Jetstream.Reactive.IntegrationTests;

/// <summary>Real production events from TestData, re-stamped with increasing time_us so that a cursor addresses each one.</summary>
internal static class Corpus
{
    public static readonly IReadOnlyList<string> RealLines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "expected_v1.jsonl"))
        .Where(l => l.Length > 0)
        .ToList();

    /// <summary>Builds <paramref name="count"/> events cycling through the real ones, with time_us = start + index.</summary>
    public static IReadOnlyList<(long TimeUs, string Json)> Sequence(int count, long start = 1_779_719_000_000_000)
    {
        var result = new List<(long, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var node = JsonNode.Parse(RealLines[i % RealLines.Count])!;
            var timeUs = start + i;
            node["time_us"] = timeUs;
            result.Add((timeUs, node.ToJsonString()));
        }

        return result;
    }
}
