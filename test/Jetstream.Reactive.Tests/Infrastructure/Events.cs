namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>Small v1 frames for tests, shaped like the real ones in TestData.</summary>
internal static class Events
{
    public const string Did = "did:plc:mcc5yghbk7tixqryac2yxku7";

    /// <summary>2026-05-25T14:23:29Z in unix microseconds: a realistic time_us, for tests that rewind it.</summary>
    public const long RealTimeUs = 1_779_719_009_000_000;

    public static string Like(long timeUs, string rkey = "3mmoojp7etg2g", long? seq = null) =>
        "{\"did\":\"" + Did + "\",\"time_us\":" + timeUs + (seq is { } s ? ",\"cursor\":" + s : "") +
        ",\"kind\":\"commit\",\"commit\":{\"rev\":\"3mmoojp7vgo2g\",\"operation\":\"create\",\"collection\":\"app.bsky.feed.like\",\"rkey\":\"" + rkey +
        "\",\"record\":{\"$type\":\"app.bsky.feed.like\",\"createdAt\":\"2026-05-25T14:23:28.778Z\",\"subject\":{\"cid\":\"bafyreiaxf7tgbfydx3465sckitq6v564thxe2wwydbi7cwxbxvgssje3em\",\"uri\":\"at://did:plc:vfnmgxg2yscfliemmcxzyfyh/app.bsky.feed.post/3mmoodizfwc2j\"}},\"cid\":\"bafyreidqpc7si3dbimffi64lz3xsx2qt45ip7rpna2qpslcddp23itjjzm\"}}";

    public static string Identity(long timeUs) =>
        "{\"did\":\"" + Did + "\",\"time_us\":" + timeUs + ",\"kind\":\"identity\",\"identity\":{\"did\":\"" + Did + "\",\"seq\":30340180350,\"time\":\"2026-05-25T14:23:29.950Z\"}}";

    public static string Account(long timeUs) =>
        "{\"did\":\"" + Did + "\",\"time_us\":" + timeUs + ",\"kind\":\"account\",\"account\":{\"active\":true,\"did\":\"" + Did + "\",\"seq\":30340180351,\"time\":\"2026-05-25T14:23:29.950Z\"}}";
}
