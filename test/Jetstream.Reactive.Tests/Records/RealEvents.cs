using System.Text;

namespace Jetstream.Reactive.Tests.Records;

/// <summary>Every real event of TestData/*.jsonl, decoded, with the file and line it came from.</summary>
internal static class RealEvents
{
    public static readonly IReadOnlyList<(string Source, string Json, JetstreamEvent Event)> All = Load();

    public static IEnumerable<CommitEvent> Commits => All.Select(e => e.Event).OfType<CommitEvent>();

    /// <summary>The commit whose record key is <paramref name="rkey"/>.</summary>
    public static CommitEvent ByRKey(string rkey) => Commits.Single(e => e.Commit.RKey == rkey);

    private static List<(string, string, JetstreamEvent)> Load()
    {
        var result = new List<(string, string, JetstreamEvent)>();
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData"), "*.jsonl").Order(StringComparer.Ordinal))
        {
            var number = 0;
            foreach (var line in File.ReadLines(path))
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }

                var decoded = JetstreamEventDecoder.Decode(Encoding.UTF8.GetBytes(line));
                var e = decoded.Event ?? throw new InvalidDataException($"{Path.GetFileName(path)}:{number} does not decode: {decoded}");
                result.Add(($"{Path.GetFileName(path)}:{number}", line, e));
            }
        }

        return result;
    }
}
