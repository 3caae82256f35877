using System.Net.WebSockets;
using System.Text;
using Jetstream.Reactive.Compression;

namespace Jetstream.Reactive.Testing.Internal;

/// <summary>Builds the bytes of each <see cref="MalformedFrameKind"/> for a connection's protocol and compression.</summary>
internal static class MalformedFrames
{
    private const int BombSize = 64 * 1024 * 1024;
    private static readonly Lazy<byte[]> V1Bomb = new(() => ZstdFrames.Bomb(BombSize, JetstreamZstdDictionaries.V1));
    private static readonly Dictionary<uint, byte[]> V2Bombs = [];

    public static (byte[] Bytes, WebSocketMessageType Type) Build(MalformedFrameKind kind, ConnectionContext c, Random random, int oversizedBytes)
    {
        switch (kind)
        {
            case MalformedFrameKind.Empty:
                return ([], c.Compressed ? WebSocketMessageType.Binary : WebSocketMessageType.Text);
            case MalformedFrameKind.BinaryGarbage:
                var garbage = new byte[1024];
                random.NextBytes(garbage);
                return (garbage, WebSocketMessageType.Binary);
            case MalformedFrameKind.ZstdBomb:
                return (c.IsV2 ? V2Bomb(c) : V1Bomb.Value, WebSocketMessageType.Binary);
            case MalformedFrameKind.WrongDictionary:
                var valid = Encoding.UTF8.GetBytes(Event(c, "\"rkey\":\"wrongdict\""));
                return c.IsV2
                    ? (ZstdFrames.Compress(valid, JetstreamZstdDictionaries.V1Id, JetstreamZstdDictionaries.V1), WebSocketMessageType.Binary)
                    : (ZstdFrames.Compress(valid, JetstreamZstdDictionaries.BundledV2Id, JetstreamZstdDictionaries.BundledV2), WebSocketMessageType.Binary);
        }

        var text = kind switch
        {
            MalformedFrameKind.NotJson => Encoding.UTF8.GetBytes("this is not json {"),
            MalformedFrameKind.InvalidUtf8 => [.. "{\"did\":\"did:plc:x"u8, 0xC3, 0x28, .. "\",\"time_us\":1,\"kind\":\"commit\"}"u8],
            MalformedFrameKind.DeepNesting => Encoding.UTF8.GetBytes(Event(c, "\"rkey\":\"deep\",\"cid\":\"bafyreideep\",\"record\":" + new string('[', 20_000) + new string(']', 20_000))),
            MalformedFrameKind.Oversized => Oversized(c, oversizedBytes),
            MalformedFrameKind.JsonArray => "[1,2,3]"u8.ToArray(),
            MalformedFrameKind.MissingDid => "{\"time_us\":1,\"kind\":\"identity\",\"identity\":{\"did\":\"did:plc:x\",\"seq\":1,\"time\":\"2026-05-25T14:23:29.950Z\"}}"u8.ToArray(),
            MalformedFrameKind.MissingTimeUs => "{\"did\":\"did:plc:x\",\"kind\":\"identity\",\"identity\":{\"did\":\"did:plc:x\",\"seq\":1,\"time\":\"2026-05-25T14:23:29.950Z\"}}"u8.ToArray(),
            MalformedFrameKind.MissingKind => "{\"did\":\"did:plc:x\",\"time_us\":1,\"identity\":{\"did\":\"did:plc:x\",\"seq\":1,\"time\":\"2026-05-25T14:23:29.950Z\"}}"u8.ToArray(),
            MalformedFrameKind.WrongTypes => "{\"did\":\"did:plc:x\",\"time_us\":\"soon\",\"kind\":\"identity\",\"identity\":{\"did\":\"did:plc:x\",\"seq\":1,\"time\":\"2026-05-25T14:23:29.950Z\"}}"u8.ToArray(),
            MalformedFrameKind.UnknownKind => c.IsV2
                ? "{\"$type\":\"message\",\"payload\":{\"$type\":\"network.bsky.jetstream.subscribeEvents#future\",\"seq\":1,\"did\":\"did:plc:x\",\"time\":\"2026-05-25T14:23:29.950000Z\"}}"u8.ToArray()
                : "{\"did\":\"did:plc:x\",\"time_us\":1,\"kind\":\"future\",\"future\":{}}"u8.ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown malformed frame kind."),
        };

        // A compressed connection gets broken JSON inside well-formed zstd, so the client decompresses before it fails.
        return c.Compressed ? (c.CompressFrame(text), WebSocketMessageType.Binary) : (text, WebSocketMessageType.Text);
    }

    /// <summary>A well-formed event of exactly <paramref name="size"/> bytes (or the smallest one, if that is larger).</summary>
    private static byte[] Oversized(ConnectionContext c, int size)
    {
        const string Head = "\"rkey\":\"big\",\"cid\":\"bafyreibig\",\"record\":{\"$type\":\"app.bsky.feed.post\",\"text\":\"";
        var smallest = Encoding.UTF8.GetByteCount(Event(c, Head + "\"}"));
        return Encoding.UTF8.GetBytes(Event(c, Head + new string('x', Math.Max(0, size - smallest)) + "\"}"));
    }

    private static string Event(ConnectionContext c, string commitTail)
    {
        var v1 = "{\"did\":\"did:plc:q6gjnaw2blty4crticxkmujt\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{\"rev\":\"3mmoojp7vgo2g\",\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\"," + commitTail + "}}";
        return c.IsV2
            ? "{\"$type\":\"message\",\"payload\":{\"$type\":\"network.bsky.jetstream.subscribeEvents#commit\",\"seq\":1,\"did\":\"did:plc:q6gjnaw2blty4crticxkmujt\",\"time\":\"2026-05-25T14:23:29.950000Z\",\"rev\":\"3mmoojp7vgo2g\",\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\"," + commitTail + "}}"
            : v1;
    }

    private static byte[] V2Bomb(ConnectionContext c)
    {
        // An uncompressed v2 connection has no dictionary of its own: it gets the bundled one's bomb. The cache is keyed
        // by the dictionary the bomb is made with.
        var (id, dictionary) = c.DictionaryId is { } own ? (own, c.Dictionary) : (JetstreamZstdDictionaries.BundledV2Id, JetstreamZstdDictionaries.BundledV2);
        lock (V2Bombs)
        {
            if (!V2Bombs.TryGetValue(id, out var bomb))
            {
                bomb = ZstdFrames.Bomb(BombSize, dictionary);
                V2Bombs[id] = bomb;
            }

            return bomb;
        }
    }
}
