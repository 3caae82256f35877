using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Jetstream.Reactive.Reconnect;

namespace Jetstream.Reactive.Protocol;

/// <summary>
/// The request for one host and one filter, built from validated options: the v1 <c>/subscribe</c> or v2
/// <c>subscribeEvents</c> URL for any cursor, and — on v1, when the filters would make the URL too long — the
/// <c>options_update</c> message sent right after connecting with <c>requireHello=true</c>.
/// </summary>
internal sealed class SubscribeRequest
{
    /// <summary>Past this many characters of query the v1 filters move into an <c>options_update</c> message.</summary>
    public const int MaxQueryLength = 8 * 1024;

    public const string V1Path = "/subscribe";

    public const string V2Method = "network.bsky.jetstream.subscribeEvents";

    public const string V2Path = "/xrpc/" + V2Method;

    public const string DictionaryMethod = "network.bsky.jetstream.getZstdDictionary";

    /// <summary>The only v2 subprotocol (atproto proposal 0015's JSON framing).</summary>
    public const string V2SubProtocol = "xrpc.v1.json";

    private readonly string _baseUri;
    private readonly string _query;

    public SubscribeRequest(JetstreamOptions options)
        : this(options, EndpointList.Resolve(options)[0], options.WantedCollections, options.WantedDids)
    {
    }

    public SubscribeRequest(JetstreamOptions options, Uri endpoint, IReadOnlyList<string> collections, IReadOnlyList<string> dids)
    {
        Protocol = options.Protocol;
        Endpoint = endpoint;
        Collections = collections.Distinct(StringComparer.Ordinal).ToArray();
        Dids = dids.Distinct(StringComparer.Ordinal).ToArray();
        Compressed = options.Compression == JetstreamCompression.Zstd;
        ServerMaxMessageSize = options.ServerMaxMessageSize;

        var path = endpoint.AbsolutePath is "" or "/" ? (Protocol == JetstreamProtocol.V2 ? V2Path : V1Path) : endpoint.AbsolutePath;
        _baseUri = endpoint.GetLeftPart(UriPartial.Authority) + path;
        DisplayEndpoint = _baseUri;

        var query = new StringBuilder();
        if (Protocol == JetstreamProtocol.V2)
        {
            foreach (var kind in options.Kinds.Distinct())
            {
                Append(query, "kinds", KindName(kind));
            }

            foreach (var c in Collections)
            {
                Append(query, "collections", c);
            }

            foreach (var d in Dids)
            {
                Append(query, "dids", d);
            }

            AppendMaxSize(query);
        }
        else
        {
            foreach (var c in Collections)
            {
                Append(query, "wantedCollections", c);
            }

            foreach (var d in Dids)
            {
                Append(query, "wantedDids", d);
            }

            if (query.Length > MaxQueryLength)
            {
                RequireHello = true;
                query.Clear().Append("requireHello=true");
                Hello = BuildOptionsUpdate(Collections, Dids, ServerMaxMessageSize);
            }

            AppendMaxSize(query);
            if (Compressed)
            {
                Append(query, "compress", "true");
            }
        }

        _query = query.ToString();
    }

    public JetstreamProtocol Protocol { get; }

    public Uri Endpoint { get; }

    /// <summary>The endpoint without a query, for logs.</summary>
    public string DisplayEndpoint { get; }

    public IReadOnlyList<string> Collections { get; }

    public IReadOnlyList<string> Dids { get; }

    /// <summary>Whether the options ask for zstd frames.</summary>
    public bool Compressed { get; }

    public int? ServerMaxMessageSize { get; }

    /// <summary>Whether the v1 filters travel in an <c>options_update</c> (<see cref="Hello"/>) instead of the URL.</summary>
    public bool RequireHello { get; }

    /// <summary>The <c>options_update</c> message (UTF-8 JSON) to send first, or <see langword="null"/>.</summary>
    public byte[]? Hello { get; }

    /// <summary>The subprotocols to offer: <c>xrpc.v1.json</c> on v2, none on v1.</summary>
    public IReadOnlyList<string> SubProtocols => Protocol == JetstreamProtocol.V2 ? [V2SubProtocol] : [];

    /// <param name="cursor">The cursor, or <see langword="null"/> for the live tail.</param>
    /// <param name="zstdDictionary">On v2, the dictionary to ask for (<c>zstdDictionary</c>); <see langword="null"/> for text frames.</param>
    public Uri BuildUri(long? cursor, uint? zstdDictionary = null)
    {
        var query = new StringBuilder(_query);
        if (zstdDictionary is { } id && Protocol == JetstreamProtocol.V2)
        {
            Append(query, "zstdDictionary", id.ToString(CultureInfo.InvariantCulture));
        }

        if (cursor is { } c)
        {
            Append(query, "cursor", c.ToString(CultureInfo.InvariantCulture));
        }

        return new Uri(query.Length == 0 ? _baseUri : _baseUri + "?" + query);
    }

    /// <summary>
    /// The v2 <c>getZstdDictionary</c> URL on the same host: <c>http(s)</c> for <c>ws(s)</c>, next to a
    /// <c>…/network.bsky.jetstream.subscribeEvents</c> path, otherwise at the root.
    /// </summary>
    public Uri DictionaryUri(uint? id)
    {
        var builder = new UriBuilder(Endpoint) { Scheme = Endpoint.Scheme == "wss" ? "https" : "http", Query = id is { } i ? "id=" + i.ToString(CultureInfo.InvariantCulture) : "" };
        var path = Endpoint.AbsolutePath;
        builder.Path = path.EndsWith("/" + V2Method, StringComparison.Ordinal)
            ? string.Concat(path.AsSpan(0, path.Length - V2Method.Length), DictionaryMethod)
            : "/xrpc/" + DictionaryMethod;
        return builder.Uri;
    }

    /// <summary>The v1 <c>options_update</c> message: both lists in full (an empty list means everything).</summary>
    public static byte[] BuildOptionsUpdate(IReadOnlyList<string> collections, IReadOnlyList<string> dids, int? maxMessageSize)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "options_update"u8);
            writer.WriteStartObject("payload"u8);
            writer.WriteStartArray("wantedCollections"u8);
            foreach (var c in collections)
            {
                writer.WriteStringValue(c);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("wantedDids"u8);
            foreach (var d in dids)
            {
                writer.WriteStringValue(d);
            }

            writer.WriteEndArray();
            if (maxMessageSize is { } max)
            {
                writer.WriteNumber("maxMessageSizeBytes"u8, max);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string KindName(JetstreamEventKind kind) => kind switch
    {
        JetstreamEventKind.Commit => "commit",
        JetstreamEventKind.Identity => "identity",
        JetstreamEventKind.Account => "account",
        _ => "sync",
    };

    private void AppendMaxSize(StringBuilder query)
    {
        if (ServerMaxMessageSize is { } max)
        {
            Append(query, "maxMessageSizeBytes", max.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Append(StringBuilder query, string name, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }
}
