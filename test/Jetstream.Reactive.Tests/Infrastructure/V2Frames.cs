using System.Globalization;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>v2 (<c>xrpc.v1.json</c>) frames for tests, shaped as the lexicon and PROTOCOL.md §6.3 describe.</summary>
internal static class V2Frames
{
    public const string Did = Events.Did;
    public const string Prefix = "network.bsky.jetstream.subscribeEvents";

    /// <summary>2026-05-25T14:23:28.778123Z, the time every frame carries unless told otherwise.</summary>
    public const long BaseTimeUs = 1_779_719_008_778_123;

    public static string Time(long timeUs) =>
        DateTimeOffset.UnixEpoch.AddTicks(timeUs * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static string Commit(long seq, string rkey = "3l3qo2vuowo2b", long timeUs = BaseTimeUs) =>
        Message("{\"$type\":\"" + Prefix + "#commit\",\"seq\":" + seq + ",\"did\":\"" + Did + "\",\"time\":\"" + Time(timeUs) +
        "\",\"rev\":\"3l3qo2vutsw2b\",\"operation\":\"create\",\"collection\":\"app.bsky.feed.like\",\"rkey\":\"" + rkey +
        "\",\"cid\":\"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi\",\"record\":{\"$type\":\"app.bsky.feed.like\",\"createdAt\":\"2024-09-09T19:46:02.102Z\",\"subject\":{\"cid\":\"bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4\",\"uri\":\"at://did:plc:wa7b35aakoll7hugkrjtf3xf/app.bsky.feed.post/3l3pte3p2e325\"}}}");

    public static string Delete(long seq, string rkey = "3l3qo2vuowo2b") =>
        Message("{\"$type\":\"" + Prefix + "#commit\",\"seq\":" + seq + ",\"did\":\"" + Did + "\",\"time\":\"" + Time(BaseTimeUs) +
        "\",\"rev\":\"3l3qo2vutsw2b\",\"operation\":\"delete\",\"collection\":\"app.bsky.feed.like\",\"rkey\":\"" + rkey + "\"}");

    public static string Identity(long seq, string? handle = "alice.example.com") =>
        Message("{\"$type\":\"" + Prefix + "#identity\",\"seq\":" + seq + ",\"did\":\"" + Did + "\",\"time\":\"" + Time(BaseTimeUs) +
        "\",\"identity\":{\"did\":\"" + Did + "\",\"seq\":30340180350,\"time\":\"2026-05-25T14:23:29.950Z\"" + (handle is null ? "" : ",\"handle\":\"" + handle + "\"") + "}}");

    public static string Account(long seq, bool active = false, string? status = "deactivated") =>
        Message("{\"$type\":\"" + Prefix + "#account\",\"seq\":" + seq + ",\"did\":\"" + Did + "\",\"time\":\"" + Time(BaseTimeUs) +
        "\",\"account\":{\"active\":" + (active ? "true" : "false") + ",\"did\":\"" + Did + "\",\"seq\":30340180351,\"time\":\"2026-05-25T14:23:29.950Z\"" + (status is null ? "" : ",\"status\":\"" + status + "\"") + "}}");

    /// <summary>A sync whose blocks are the bytes 1, 2, 3, 4 as unpadded base64 (<c>AQIDBA</c>).</summary>
    public static string Sync(long seq) =>
        Message("{\"$type\":\"" + Prefix + "#sync\",\"seq\":" + seq + ",\"did\":\"" + Did + "\",\"time\":\"" + Time(BaseTimeUs) +
        "\",\"sync\":{\"did\":\"" + Did + "\",\"rev\":\"3mmoojp7vgo2g\",\"seq\":30340180352,\"time\":\"2026-05-25T14:23:29.950Z\",\"blocks\":{\"$bytes\":\"AQIDBA\"}}}");

    public static string Info(string name = "OutdatedCursor", string message = "requested timestamp cursor below retention floor; starting at seq 5") =>
        Message("{\"$type\":\"" + Prefix + "#info\",\"name\":\"" + name + "\",\"message\":\"" + message + "\"}");

    public static string Error(string error = "ConsumerTooSlow", string message = "reading below the floor rate; reconnect with cursor=42") =>
        "{\"$type\":\"error\",\"error\":\"" + error + "\",\"message\":\"" + message + "\"}";

    public static string Message(string payload) => "{\"$type\":\"message\",\"payload\":" + payload + "}";

    public static string XrpcError(string error, string message) => "{\"error\":\"" + error + "\",\"message\":\"" + message + "\"}";
}
