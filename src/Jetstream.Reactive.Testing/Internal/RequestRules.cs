using System.Collections.Specialized;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jetstream.Reactive.Compression;

namespace Jetstream.Reactive.Testing.Internal;

/// <summary>How a connection starts, once its request passed the server's checks.</summary>
internal sealed record ConnectionStart(
    bool IsV2,
    bool Compressed,
    uint? DictionaryId,
    ReadOnlyMemory<byte> Dictionary,
    EventFilter Filter,
    int MaxMessageSize,
    long Position,
    bool RequireHello,
    string? Info,
    string? SubProtocol)
{
    /// <summary>Whether the connection starts at the live tail (no cursor in live mode, or a future cursor), decided at the request.</summary>
    public bool AtTail { get; init; }
}

/// <summary>A rejected upgrade: the status, the body and its content type.</summary>
internal sealed record Rejection(int Status, string Body, string ContentType);

/// <summary>The servers' request rules for v1 <c>/subscribe</c> and v2 <c>subscribeEvents</c> (PROTOCOL §2.2–2.3, §5, §6.1–6.2).</summary>
internal static class RequestRules
{
    private const long TimestampThreshold = 1_000_000_000_000_000;
    private const string V2Protocol = "xrpc.v1.json";

    public static (ConnectionStart? Start, Rejection? Rejection) V1(NameValueCollection query, IReadOnlyDictionary<string, string> headers, JetstreamTestServerOptions options, EventLog log)
    {
        var legacy = options.Flavor == ServerFlavor.Legacy;
        var collections = query.GetValues("wantedCollections") ?? [];
        var dids = query.GetValues("wantedDids") ?? [];
        if (CheckV1Filters(collections, dids, options.Flavor) is { } problem)
        {
            return (null, Text(400, legacy ? problem : "subscribe: invalid options: " + problem));
        }

        var compressed = query["compress"] == "true" || (headers.TryGetValue("Socket-Encoding", out var encoding) && encoding.Contains("zstd", StringComparison.Ordinal));
        if (compressed && !legacy && headers.TryGetValue("Sec-WebSocket-Extensions", out var extensions) && extensions.Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Text(400, "choose one compression scheme: zstd and permessage-deflate were both requested"));
        }

        long position;
        if (query["cursor"] is { } raw)
        {
            if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cursor))
            {
                return (null, Text(400, legacy ? $"invalid cursor: {raw}" : $"subscribe: invalid cursor: \"{raw}\""));
            }

            if (cursor < 0 && !legacy)
            {
                return (null, Text(400, $"subscribe: invalid cursor: negative value {cursor}"));
            }

            // Legacy reads every cursor as time_us; the newer server reads values below 10^15 as its seq. Both clamp an
            // old cursor to the oldest retained event and treat a future one as the live tail.
            position = !legacy && cursor < TimestampThreshold
                ? Math.Clamp(cursor, log.FloorSeq, log.NextSeq)
                : log.SeqAtOrAfterTime(cursor);
        }
        else
        {
            position = options.Mode == EmulatorMode.Replay ? log.FloorSeq : log.NextSeq;
        }

        // Both servers treat a malformed, negative or out-of-range size as 0 (no limit).
        var max = int.TryParse(query["maxMessageSizeBytes"], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 0;
        var filter = new EventFilter(null, collections.Distinct(StringComparer.Ordinal), dids.Distinct(StringComparer.Ordinal));
        return (new ConnectionStart(false, compressed, compressed ? JetstreamZstdDictionaries.V1Id : null, compressed ? JetstreamZstdDictionaries.V1 : default, filter, max, position, query["requireHello"] == "true", null, null) { AtTail = position >= log.NextSeq }, null);
    }

    /// <summary>The v1 filter checks shared by the query and <c>options_update</c>; the message is the part after the server's prefix.</summary>
    public static string? CheckV1Filters(IReadOnlyCollection<string> collections, IReadOnlyCollection<string> dids, ServerFlavor flavor)
    {
        var legacy = flavor == ServerFlavor.Legacy;
        foreach (var c in collections)
        {
            if (!EventFilter.IsValidV1Collection(c))
            {
                return legacy ? $"invalid subscriber options: invalid collection: {c}" : $"invalid collection \"{c}\"";
            }
        }

        foreach (var d in dids)
        {
            if (!EventFilter.IsValidDid(d))
            {
                return legacy ? "invalid subscriber options" : $"invalid DID \"{d}\"";
            }
        }

        // Legacy counts unique full paths plus every prefix as given; the newer server deduplicates both.
        var collectionCount = legacy
            ? collections.Where(c => !c.EndsWith('*')).Distinct(StringComparer.Ordinal).Count() + collections.Count(c => c.EndsWith('*'))
            : collections.Distinct(StringComparer.Ordinal).Count();
        if (collectionCount > 100)
        {
            return legacy ? "invalid subscriber options: too many wanted collections" : "too many wanted collections (at most 100)";
        }

        if (dids.Distinct(StringComparer.Ordinal).Count() > 10_000)
        {
            return legacy ? "invalid subscriber options: too many wanted DIDs" : "too many wanted DIDs (at most 10000)";
        }

        return null;
    }

    public static (ConnectionStart? Start, Rejection? Rejection) V2(NameValueCollection query, IReadOnlyDictionary<string, string> headers, JetstreamTestServerOptions options, EventLog log, IReadOnlyDictionary<uint, ReadOnlyMemory<byte>> dictionaries, uint currentDictionary)
    {
        foreach (var (legacyName, replacement) in new[] { ("wantedDids", "dids"), ("wantedCollections", "collections"), ("requireHello", "none: subscribeEvents has no client messages"), ("compress", "zstdDictionary") })
        {
            if (query[legacyName] is not null)
            {
                return (null, Xrpc(400, "InvalidRequest", $"{legacyName} is a /subscribe parameter; subscribeEvents uses {replacement}"));
            }
        }

        if (headers.TryGetValue("Socket-Encoding", out var encoding) && encoding.Contains("zstd", StringComparison.Ordinal))
        {
            return (null, Xrpc(400, "InvalidRequest", "Socket-Encoding is a /subscribe header; subscribeEvents uses zstdDictionary"));
        }

        var kinds = query.GetValues("kinds") ?? [];
        if (kinds.Length > 4 || kinds.Any(k => k is not ("commit" or "identity" or "account" or "sync")))
        {
            return (null, Xrpc(400, "InvalidRequest", "kinds takes at most 4 of commit, identity, account, sync"));
        }

        var dids = query.GetValues("dids") ?? [];
        if (dids.Length > 10_000)
        {
            return (null, Xrpc(400, "InvalidRequest", $"too many dids: {dids.Length} > 10000"));
        }

        if (dids.FirstOrDefault(d => !EventFilter.IsValidDid(d)) is { } badDid)
        {
            return (null, Xrpc(400, "InvalidRequest", $"invalid did: {badDid}"));
        }

        var collections = query.GetValues("collections") ?? [];
        if (collections.Length > 100)
        {
            return (null, Xrpc(400, "InvalidRequest", $"too many collections: {collections.Length} > 100"));
        }

        if (collections.FirstOrDefault(c => !EventFilter.IsValidV2Collection(c)) is { } badCollection)
        {
            return (null, Xrpc(400, "InvalidRequest", $"invalid collection: {badCollection}"));
        }

        if (collections.Length > 0 && kinds.Length > 0 && !kinds.Contains("commit"))
        {
            return (null, Xrpc(400, "InvalidRequest", "collections filter commits, but kinds excludes commit"));
        }

        var max = 0;
        if (query.GetValues("maxMessageSizeBytes") is { } maxValues)
        {
            if (maxValues.Length != 1 || !uint.TryParse(maxValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return (null, Xrpc(400, "InvalidRequest", "maxMessageSizeBytes must be one unsigned 32-bit integer"));
            }

            max = (int)Math.Min(parsed, int.MaxValue);
        }

        uint? dictionaryId = null;
        ReadOnlyMemory<byte> dictionary = default;
        if (query["zstdDictionary"] is { } rawId)
        {
            if (!uint.TryParse(rawId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0)
            {
                return (null, Xrpc(400, "InvalidRequest", "zstdDictionary must be an integer of 1 or more"));
            }

            if (!dictionaries.TryGetValue(id, out dictionary) || id != currentDictionary)
            {
                return (null, Xrpc(400, "UnknownZstdDictionary", $"unknown zstd dictionary {id}; the current dictionary is {currentDictionary}"));
            }

            dictionaryId = id;
        }

        long position;
        string? info = null;
        if (query["cursor"] is { } raw)
        {
            if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor))
            {
                return (null, Xrpc(400, "InvalidRequest", $"invalid cursor: {raw}"));
            }

            var floor = log.FloorSeq;
            if (cursor < TimestampThreshold)
            {
                if (cursor < floor && !(cursor == floor - 1 && floor == 1))
                {
                    return (null, Xrpc(400, "CursorTooOld", $"cursor {cursor} below lookback floor {floor}; re-backfill from your last seq"));
                }

                position = Math.Min(Math.Max(cursor, floor), log.NextSeq);
            }
            else
            {
                position = log.SeqAtOrAfterTime(cursor);
                if (log.TryGet(floor, out var oldest) && cursor < oldest.TimeUs)
                {
                    // JsonObject rather than a serialized dictionary: no reflection, so the emulator survives trimming and AOT.
                    info = new JsonObject
                    {
                        ["$type"] = "message",
                        ["payload"] = new JsonObject
                        {
                            ["$type"] = "network.bsky.jetstream.subscribeEvents#info",
                            ["name"] = "OutdatedCursor",
                            ["message"] = $"requested timestamp cursor below retention floor; starting at seq {position}",
                        },
                    }.ToJsonString();
                }
            }
        }
        else
        {
            position = options.Mode == EmulatorMode.Replay ? log.FloorSeq : log.NextSeq;
        }

        var offered = headers.TryGetValue("Sec-WebSocket-Protocol", out var protocols)
            && protocols.Split(',').Any(p => p.Trim() == V2Protocol);
        var filter = new EventFilter(kinds, collections, dids);
        return (new ConnectionStart(true, dictionaryId is not null, dictionaryId, dictionary, filter, max, position, false, info, offered ? V2Protocol : null) { AtTail = position >= log.NextSeq }, null);
    }

    public static Rejection Text(int status, string body) => new(status, body + "\n", "text/plain; charset=utf-8");

    public static Rejection Xrpc(int status, string error, string message) =>
        new(status, new JsonObject { ["error"] = error, ["message"] = message }.ToJsonString(), "application/json");
}
