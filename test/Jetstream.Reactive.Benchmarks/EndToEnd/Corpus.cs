using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Testing;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// The frames the harness sends: the bundled real events repeated to the wanted count, with only <c>time_us</c>
/// rewritten (same digit count, so every frame keeps its real size), as text frames and as v1 zstd frames.
/// </summary>
internal sealed partial class Corpus
{
    private const long FirstTimeUs = 1_779_719_000_000_000;
    private byte[][]? _zstd;
    private byte[][]? _v2;

    private Corpus(byte[][] text)
    {
        Text = text;
        TextBytes = text.Sum(f => (long)f.Length);
    }

    public byte[][] Text { get; }

    public long TextBytes { get; }

    public int Count => Text.Length;

    /// <summary>The v1 zstd frames (built on first use), as the servers write them: one frame per event, v1 dictionary.</summary>
    public byte[][] Zstd => _zstd ??= Compress(Text);

    public long ZstdBytes => Zstd.Sum(f => (long)f.Length);

    /// <summary>
    /// The same events as v2 text frames (built on first use): the <c>message</c> envelope with <c>seq</c> = position + 1,
    /// <c>time</c> from <c>time_us</c>, and the commit's fields (or the identity/account body) in the payload.
    /// </summary>
    public byte[][] V2 => _v2 ??= Text.Select((t, i) => ToV2(t, i + 1)).ToArray();

    public long V2Bytes => V2.Sum(f => (long)f.Length);

    public static Corpus Build(int count)
    {
        var real = JetstreamEventSource.BundledRealEvents.Read().Select(m => Encoding.UTF8.GetString(m.Span)).ToArray();
        var frames = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var timeUs = (FirstTimeUs + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            frames[i] = Encoding.UTF8.GetBytes(TimeUs().Replace(real[i % real.Length], "\"time_us\":" + timeUs, 1));
        }

        return new Corpus(frames);
    }

    private static byte[][] Compress(byte[][] text)
    {
        using var compressor = new Compressor(Compressor.DefaultCompressionLevel);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, 17);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        compressor.LoadDictionary(JetstreamZstdDictionaries.V1.Span);
        return text.Select(t => compressor.Wrap(t).ToArray()).ToArray();
    }

    /// <summary>One v1 event as the v2 frame the harness sends for it (also the micro-benchmarks' v2 payloads).</summary>
    internal static byte[] ToV2(byte[] v1, long seq)
    {
        var source = JsonNode.Parse(v1)!.AsObject();
        var kind = source["kind"]!.GetValue<string>();
        var timeUs = source["time_us"]!.GetValue<long>();
        var payload = new JsonObject
        {
            ["$type"] = "network.bsky.jetstream.subscribeEvents#" + kind,
            ["seq"] = seq,
            ["did"] = source["did"]!.GetValue<string>(),
            ["time"] = DateTimeOffset.UnixEpoch.AddTicks(timeUs * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        };
        if (kind == "commit" && source["commit"] is JsonObject commit)
        {
            foreach (var (name, value) in commit.ToList())
            {
                commit.Remove(name);
                payload[name] = value;
            }
        }
        else if (source[kind] is { } body)
        {
            source.Remove(kind);
            payload[kind] = body;
        }

        return Encoding.UTF8.GetBytes(new JsonObject { ["$type"] = "message", ["payload"] = payload }.ToJsonString());
    }

    [GeneratedRegex("\"time_us\":\\d+")]
    private static partial Regex TimeUs();
}
