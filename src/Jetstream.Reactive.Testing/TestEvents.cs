using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jetstream.Reactive.Testing;

/// <summary>
/// Builds v1 event JSON for tests, with sensible defaults shaped like real events. The server stamps <c>time_us</c>,
/// so the builders write 0 there.
/// </summary>
public static class TestEvents
{
    /// <summary>A DID that parses, for tests that do not care which.</summary>
    public const string DefaultDid = "did:plc:q6gjnaw2blty4crticxkmujt";

    private const string DefaultCid = "bafyreidqpc7si3dbimffi64lz3xsx2qt45ip7rpna2qpslcddp23itjjzm";
    private const string DefaultRev = "3mmoojp7vgo2g";
    // Records nest deeper than System.Text.Json's default of 64 in the wild; the server accepts up to this.
    private const int MaxDepth = 4096;
    private static readonly DateTimeOffset DefaultTime = new(2026, 5, 25, 14, 23, 28, 778, TimeSpan.Zero);

    /// <summary>A commit event.</summary>
    /// <param name="collection">The collection NSID.</param>
    /// <param name="rkey">The record key.</param>
    /// <param name="record">The record as a JSON object (ignored for deletes); default <c>{"$type":collection}</c>.</param>
    /// <param name="operation">create, update or delete.</param>
    /// <param name="did">The repository DID.</param>
    /// <param name="rev">The revision.</param>
    /// <param name="cid">The record CID (ignored for deletes).</param>
    /// <returns>The event JSON.</returns>
    public static string Commit(string collection, string rkey = "3mmoojp7etg2g", string? record = null, CommitOperation operation = CommitOperation.Create, string did = DefaultDid, string rev = DefaultRev, string cid = DefaultCid)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        var commit = new JsonObject
        {
            ["rev"] = rev,
            ["operation"] = operation switch
            {
                CommitOperation.Create => "create",
                CommitOperation.Update => "update",
                _ => "delete",
            },
            ["collection"] = collection,
            ["rkey"] = rkey,
        };
        if (operation != CommitOperation.Delete)
        {
            commit["record"] = record is null ? new JsonObject { ["$type"] = collection } : JsonNode.Parse(record, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth });
            commit["cid"] = cid;
        }

        return Event(did, "commit", commit);
    }

    /// <summary>An <c>app.bsky.feed.post</c> create with <paramref name="text"/>.</summary>
    /// <param name="text">The post text.</param>
    /// <param name="rkey">The record key.</param>
    /// <param name="did">The author.</param>
    /// <returns>The event JSON.</returns>
    public static string Post(string text, string rkey = "3mmoojp4cd223", string did = DefaultDid)
    {
        var record = new JsonObject
        {
            ["$type"] = "app.bsky.feed.post",
            ["createdAt"] = DefaultTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["langs"] = new JsonArray("en"),
            ["text"] = text,
        };
        return Commit("app.bsky.feed.post", rkey, record.ToJsonString(), did: did);
    }

    /// <summary>An <c>app.bsky.feed.like</c> create of <paramref name="subjectUri"/>.</summary>
    /// <param name="subjectUri">The liked record's at:// URI.</param>
    /// <param name="rkey">The record key.</param>
    /// <param name="did">The liker.</param>
    /// <returns>The event JSON.</returns>
    public static string Like(string subjectUri = "at://did:plc:vfnmgxg2yscfliemmcxzyfyh/app.bsky.feed.post/3mmoodizfwc2j", string rkey = "3mmoojp7etg2g", string did = DefaultDid)
    {
        var record = new JsonObject
        {
            ["$type"] = "app.bsky.feed.like",
            ["createdAt"] = DefaultTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["subject"] = new JsonObject { ["cid"] = "bafyreiaxf7tgbfydx3465sckitq6v564thxe2wwydbi7cwxbxvgssje3em", ["uri"] = subjectUri },
        };
        return Commit("app.bsky.feed.like", rkey, record.ToJsonString(), did: did);
    }

    /// <summary>An identity event.</summary>
    /// <param name="did">The DID.</param>
    /// <param name="handle">The handle, or <see langword="null"/> to leave it out (as most real identity events do).</param>
    /// <param name="seq">The upstream relay sequence number.</param>
    /// <returns>The event JSON.</returns>
    public static string Identity(string did = DefaultDid, string? handle = null, long seq = 30_340_180_350)
    {
        var identity = new JsonObject { ["did"] = did, ["seq"] = seq, ["time"] = "2026-05-25T14:23:29.950Z" };
        if (handle is not null)
        {
            identity["handle"] = handle;
        }

        return Event(did, "identity", identity);
    }

    /// <summary>An account event.</summary>
    /// <param name="did">The DID.</param>
    /// <param name="active">Whether the account is active.</param>
    /// <param name="status">The status, such as <c>deactivated</c>; usually set when inactive.</param>
    /// <param name="seq">The upstream relay sequence number.</param>
    /// <returns>The event JSON.</returns>
    public static string Account(string did = DefaultDid, bool active = true, string? status = null, long seq = 30_340_180_351)
    {
        var account = new JsonObject { ["active"] = active, ["did"] = did, ["seq"] = seq, ["time"] = "2026-05-25T14:23:29.950Z" };
        if (status is not null)
        {
            account["status"] = status;
        }

        return Event(did, "account", account);
    }

    private static string Event(string did, string kind, JsonObject body)
    {
        var e = new JsonObject { ["did"] = did, ["time_us"] = 0, ["kind"] = kind, [kind] = body };
        return e.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = MaxDepth });
    }
}
