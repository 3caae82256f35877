using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jetstream.Reactive.Testing.Internal;

/// <summary>
/// One event as the server holds it after ingest: its sequence number, its stamped <c>time_us</c>, what the filters
/// look at, and its wire forms, built once and shared by every connection.
/// </summary>
internal sealed class StoredEvent
{
    private byte[]? _v2;

    public StoredEvent(long seq, long timeUs, string did, string kind, string? collection, byte[] v1, byte[] v1WithCursor)
    {
        Seq = seq;
        TimeUs = timeUs;
        Did = did;
        Kind = kind;
        Collection = collection;
        V1 = v1;
        V1WithCursor = v1WithCursor;
    }

    public long Seq { get; }

    public long TimeUs { get; }

    public string Did { get; }

    /// <summary><c>commit</c>, <c>identity</c>, <c>account</c>, or whatever the source said (unknown kinds pass through).</summary>
    public string Kind { get; }

    /// <summary>The commit's collection; <see langword="null"/> for other kinds.</summary>
    public string? Collection { get; }

    /// <summary>The legacy v1 frame: the event with the stamped <c>time_us</c>.</summary>
    public byte[] V1 { get; }

    /// <summary>The newer server's v1 frame: as <see cref="V1"/> plus the top-level <c>cursor</c> (the seq).</summary>
    public byte[] V1WithCursor { get; }

    /// <summary>The v2 <c>message</c> envelope (built on first use).</summary>
    public byte[] V2 => _v2 ??= BuildV2();

    private byte[] BuildV2()
    {
        var v1 = JsonNode.Parse(V1)!.AsObject();
        var payload = new JsonObject
        {
            ["$type"] = "network.bsky.jetstream.subscribeEvents#" + Kind,
            ["seq"] = Seq,
            ["did"] = Did,
            ["time"] = DateTimeOffset.UnixEpoch.AddTicks(TimeUs * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (Kind == "commit" && v1["commit"] is JsonObject commit)
        {
            foreach (var (name, value) in commit.ToList())
            {
                commit.Remove(name);
                payload[name] = value;
            }
        }
        else if (v1[Kind] is JsonNode body)
        {
            v1.Remove(Kind);
            payload[Kind] = body;
        }

        var envelope = new JsonObject { ["$type"] = "message", ["payload"] = payload };
        return JsonSerializer.SerializeToUtf8Bytes(envelope);
    }
}
