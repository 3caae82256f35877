using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// The v1 <c>/subscribe</c> request built once from validated options: the URL for any cursor, and — when the filters
/// would make the URL too long — the <c>options_update</c> message sent right after connecting with <c>requireHello=true</c>.
/// </summary>
internal sealed class SubscribeRequest
{
    /// <summary>Past this many characters of query the filters move into an <c>options_update</c> message.</summary>
    public const int MaxQueryLength = 8 * 1024;

    private readonly string _baseUri;
    private readonly string _filterQuery;

    public SubscribeRequest(JetstreamOptions options)
    {
        Collections = options.WantedCollections.Distinct(StringComparer.Ordinal).ToArray();
        Dids = options.WantedDids.Distinct(StringComparer.Ordinal).ToArray();

        var endpoint = options.Endpoint;
        var path = endpoint.AbsolutePath is "" or "/" ? "/subscribe" : endpoint.AbsolutePath;
        _baseUri = endpoint.GetLeftPart(UriPartial.Authority) + path;
        DisplayEndpoint = _baseUri;

        var query = new StringBuilder();
        foreach (var c in Collections)
        {
            Append(query, "wantedCollections", c);
        }

        foreach (var d in Dids)
        {
            Append(query, "wantedDids", d);
        }

        string filterQuery;
        if (query.Length > MaxQueryLength)
        {
            RequireHello = true;
            filterQuery = "requireHello=true";
            Hello = BuildOptionsUpdate(Collections, Dids);
        }
        else
        {
            filterQuery = query.ToString();
        }

        Compressed = options.Compression == JetstreamCompression.Zstd;
        _filterQuery = Compressed ? (filterQuery.Length == 0 ? "compress=true" : filterQuery + "&compress=true") : filterQuery;
    }

    /// <summary>The endpoint without a query, for logs.</summary>
    public string DisplayEndpoint { get; }

    public IReadOnlyList<string> Collections { get; }

    public IReadOnlyList<string> Dids { get; }

    /// <summary>Whether the request asks for zstd frames (<c>compress=true</c>).</summary>
    public bool Compressed { get; }

    /// <summary>Whether the filters travel in an <c>options_update</c> (<see cref="Hello"/>) instead of the URL.</summary>
    public bool RequireHello { get; }

    /// <summary>The <c>options_update</c> message (UTF-8 JSON) to send first, or <see langword="null"/>.</summary>
    public byte[]? Hello { get; }

    public Uri BuildUri(long? cursor)
    {
        var query = new StringBuilder(_filterQuery);
        if (cursor is { } c)
        {
            Append(query, "cursor", c.ToString(CultureInfo.InvariantCulture));
        }

        return new Uri(query.Length == 0 ? _baseUri : _baseUri + "?" + query);
    }

    private static void Append(StringBuilder query, string name, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }

    private static byte[] BuildOptionsUpdate(IReadOnlyList<string> collections, IReadOnlyList<string> dids)
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
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
