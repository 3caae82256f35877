using System.Text;
using ZstdSharp;

namespace Jetstream.Reactive.Testing;

/// <summary>
/// Where a <see cref="JetstreamTestServer"/> gets its events: v1 JSON objects, one per item. The server re-stamps
/// <c>time_us</c> and assigns the sequence number, so the source's values for them do not matter.
/// </summary>
public abstract class JetstreamEventSource
{
    private protected JetstreamEventSource()
    {
    }

    /// <summary>The 167 real production events bundled with this package (provenance in its <c>Data/SOURCES.md</c>).</summary>
    public static JetstreamEventSource BundledRealEvents { get; } = new FixedSource(LoadBundled());

    /// <summary>Events given as JSON text.</summary>
    /// <param name="events">One v1 event object per item, such as those <see cref="TestEvents"/> builds.</param>
    /// <returns>The source.</returns>
    public static JetstreamEventSource FromJson(IEnumerable<string> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return new FixedSource(events.Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e)).ToList());
    }

    /// <summary>
    /// A JSON-lines file (one event per line; blank lines skipped). A name ending in <c>.zst</c> is read as a zstd
    /// stream (as <c>jetstream record</c> writes it).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The source.</returns>
    public static JetstreamEventSource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileSource(path);
    }

    /// <summary>An endless (or <paramref name="count"/>-long) source that calls <paramref name="generate"/> with 0, 1, 2, …</summary>
    /// <param name="generate">Makes the event JSON for an index.</param>
    /// <param name="count">How many events, or <see langword="null"/> for no end (<see cref="EmulatorMode.Live"/> only: <see cref="EmulatorMode.Replay"/> reads the whole source at start).</param>
    /// <returns>The source.</returns>
    public static JetstreamEventSource FromGenerator(Func<long, string> generate, long? count = null)
    {
        ArgumentNullException.ThrowIfNull(generate);
        return new GeneratorSource(generate, count);
    }

    /// <summary>The events, in order. May be endless.</summary>
    /// <returns>UTF-8 JSON objects.</returns>
    public abstract IEnumerable<ReadOnlyMemory<byte>> Read();

    private static List<ReadOnlyMemory<byte>> LoadBundled()
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        foreach (var name in new[] { "expected_v1.jsonl", "golden_v1.jsonl", "readme-examples.jsonl", "issue-examples.jsonl" })
        {
            using var stream = typeof(JetstreamEventSource).Assembly.GetManifestResourceStream("Jetstream.Reactive.Testing.Data." + name)
                ?? throw new InvalidOperationException($"The bundled data file '{name}' is missing from the assembly.");
            lines.AddRange(ReadLines(stream));
        }

        return lines;
    }

    private static IEnumerable<ReadOnlyMemory<byte>> ReadLines(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return Encoding.UTF8.GetBytes(line);
            }
        }
    }

    private sealed class FixedSource(IReadOnlyList<ReadOnlyMemory<byte>> events) : JetstreamEventSource
    {
        public override IEnumerable<ReadOnlyMemory<byte>> Read() => events;
    }

    private sealed class FileSource(string path) : JetstreamEventSource
    {
        public override IEnumerable<ReadOnlyMemory<byte>> Read()
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".zst", StringComparison.OrdinalIgnoreCase) ? new DecompressionStream(file) : file;
            foreach (var line in ReadLines(stream))
            {
                yield return line;
            }
        }
    }

    private sealed class GeneratorSource(Func<long, string> generate, long? count) : JetstreamEventSource
    {
        public override IEnumerable<ReadOnlyMemory<byte>> Read()
        {
            for (long i = 0; count is null || i < count; i++)
            {
                yield return Encoding.UTF8.GetBytes(generate(i));
            }
        }
    }
}
