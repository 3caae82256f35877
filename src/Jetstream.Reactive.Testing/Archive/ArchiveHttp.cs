using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jetstream.Reactive.Archive;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Jetstream.Reactive.Testing.Archive;

/// <summary>The four archive XRPC endpoints with the server's methods, statuses, error names, headers and paging.</summary>
internal sealed class ArchiveHttp
{
    public const string PlanPath = "/xrpc/network.bsky.jetstream.planSnapshot";
    public const string SegmentPath = "/xrpc/network.bsky.jetstream.getSegment";
    public const string BlockPath = "/xrpc/network.bsky.jetstream.getBlock";
    public const string ListPath = "/xrpc/network.bsky.jetstream.listSegments";

    private const int MaxBodyBytes = 2 * 1024 * 1024;
    private static readonly string[] KnownKinds = ["commit", "identity", "account", "sync"];

    private readonly JetstreamTestServer _server;

    private ArchiveHttp(JetstreamTestServer server) => _server = server;

    public static void Map(WebApplication app, JetstreamTestServer server)
    {
        var http = new ArchiveHttp(server);
        app.Map(PlanPath, c => http.Handle(c, ArchiveEndpoint.PlanSnapshot, "POST", http.PlanAsync));
        app.Map(SegmentPath, c => http.Handle(c, ArchiveEndpoint.GetSegment, "GET", http.SegmentAsync));
        app.Map(BlockPath, c => http.Handle(c, ArchiveEndpoint.GetBlock, "GET", http.BlockAsync));
        app.Map(ListPath, c => http.Handle(c, ArchiveEndpoint.ListSegments, "GET", http.ListAsync));
    }

    private static Task Error(HttpContext context, int status, string error, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(new JsonObject { ["error"] = error, ["message"] = message }.ToJsonString());
    }

    private async Task Handle(HttpContext context, ArchiveEndpoint endpoint, string method, Func<HttpContext, ArchiveFault?, Task> handler)
    {
        var body = string.Empty;
        try
        {
            if (!string.Equals(context.Request.Method, method, StringComparison.Ordinal))
            {
                await Error(context, 405, "MethodNotAllowed", "expected " + method).ConfigureAwait(false);
                return;
            }

            if (!_server.ArchiveReady)
            {
                await Error(context, 503, "ServiceUnavailable", "service not ready: archive loading").ConfigureAwait(false);
                return;
            }

            if (endpoint == ArchiveEndpoint.PlanSnapshot)
            {
                body = await ReadBodyAsync(context).ConfigureAwait(false) ?? string.Empty;
                if (context.Response.HasStarted)
                {
                    return;
                }
            }

            if (_server.Options.ArchiveApiKey is { } key && endpoint != ArchiveEndpoint.ListSegments)
            {
                var auth = context.Request.Headers.Authorization.ToString();
                if (!(auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && string.Equals(auth[7..], key, StringComparison.Ordinal)))
                {
                    await Error(context, 401, "AuthRequired", "missing or invalid API key").ConfigureAwait(false);
                    return;
                }
            }

            _server.ArchiveFaults.BeforeAnswer?.Invoke(endpoint);
            var fault = _server.ArchiveFaults.Take(endpoint);
            switch (fault)
            {
                case ArchiveFault.InternalError:
                    await Error(context, 500, "InternalServerError", "injected fault").ConfigureAwait(false);
                    return;
                case ArchiveFault.BadGateway:
                    context.Response.StatusCode = 502;
                    await context.Response.WriteAsync("<html>bad gateway</html>").ConfigureAwait(false);
                    return;
                case ArchiveFault.Unavailable:
                    await Error(context, 503, "ServiceUnavailable", "service not ready: injected").ConfigureAwait(false);
                    return;
                case ArchiveFault.TooManyRequests:
                    context.Response.Headers.RetryAfter = "0";
                    await Error(context, 429, "RateLimitExceeded", "slow down").ConfigureAwait(false);
                    return;
                case ArchiveFault.Slow:
                    await Task.Delay(_server.ArchiveFaults.SlowDelay, _server.Stopping).ConfigureAwait(false);
                    break;
            }

            context.Items["body"] = body;
            await handler(context, fault).ConfigureAwait(false);
        }
        finally
        {
            _server.RecordArchiveRequest(new ArchiveRequest(
                endpoint,
                context.Request.Method,
                context.Request.QueryString.Value ?? string.Empty,
                body,
                context.Request.Headers.ContainsKey("Authorization"),
                context.Response.StatusCode,
                context.Request.Headers.Range.Count > 0 ? context.Request.Headers.Range.ToString() : null));
        }
    }

    private static async Task<string?> ReadBodyAsync(HttpContext context)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            if (buffer.WrittenCount + read > MaxBodyBytes)
            {
                await Error(context, 413, "TooLarge", "request body too large").ConfigureAwait(false);
                return null;
            }

            buffer.Write(chunk.AsSpan(0, read));
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async Task PlanAsync(HttpContext context, ArchiveFault? fault)
    {
        var (request, problem) = ParsePlan((string)context.Items["body"]!);
        if (request is null)
        {
            await Error(context, 400, "InvalidRequest", problem!).ConfigureAwait(false);
            return;
        }

        var page = _server.Archive.Plan(request, _server.Options.ArchivePlanMaxEntries, 0.75);
        var planned = fault == ArchiveFault.NoProgress ? request.AfterSeq : page.PlannedThroughSeq;
        var output = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteNumber("plannedThroughSeq", planned);
            w.WriteNumber("sealedTipSeq", page.SealedTipSeq);
            w.WriteStartArray("segments");
            foreach (var entry in page.Entries)
            {
                w.WriteStartObject();
                if (!entry.WholeSegment)
                {
                    w.WriteStartArray("blocks");
                    foreach (var (first, last) in entry.Ranges)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("first", first);
                        w.WriteNumber("last", last);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteString("checksum", entry.Segment.Checksum);
                w.WriteNumber("index", entry.Segment.Index);
                w.WriteNumber("maxSeq", entry.Segment.Header.MaxSeq);
                w.WriteNumber("minSeq", entry.Segment.Header.MinSeq);
                w.WriteString("mode", fault == ArchiveFault.UnknownMode ? "ranges" : entry.WholeSegment ? "segment" : "blocks");
                w.WriteString("name", entry.Segment.Name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("stats");
            w.WriteNumber("blocksMatched", page.BlocksMatched);
            w.WriteNumber("entries", page.EntryCount);
            w.WriteNumber("segmentsExamined", page.SegmentsExamined);
            w.WriteNumber("segmentsMatched", page.Entries.Count);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(output.WrittenMemory).ConfigureAwait(false);
        await context.Response.CompleteAsync().ConfigureAwait(false);
        _server.ArchiveFaults.AfterPlanPage?.Invoke(_server.NextPlanPage());
    }

    private async Task SegmentAsync(HttpContext context, ArchiveFault? fault)
    {
        var name = context.Request.Query["name"].ToString();
        if (name.Length == 0)
        {
            await Error(context, 400, "InvalidRequest", "missing required parameter: name").ConfigureAwait(false);
            return;
        }

        if (!JssSegmentReader.TryParseSegmentName(name, out var index))
        {
            await Error(context, 400, "InvalidRequest", "malformed segment name").ConfigureAwait(false);
            return;
        }

        var segment = fault == ArchiveFault.NotFound ? null : _server.Archive.Find(index);
        if (segment is null)
        {
            await Error(context, 404, "SegmentNotFound", "segment not found").ConfigureAwait(false);
            return;
        }

        await ServeAsync(context, segment, segment.File, $"\"{segment.Checksum}\"", fault, corruptAt: segment.File.Length - 1).ConfigureAwait(false);
    }

    private async Task BlockAsync(HttpContext context, ArchiveFault? fault)
    {
        var name = context.Request.Query["segment"].ToString();
        if (name.Length == 0)
        {
            await Error(context, 400, "InvalidRequest", "missing required parameter: segment").ConfigureAwait(false);
            return;
        }

        if (!JssSegmentReader.TryParseSegmentName(name, out var index))
        {
            await Error(context, 400, "InvalidRequest", "malformed segment name").ConfigureAwait(false);
            return;
        }

        var raw = context.Request.Query["blockIndex"].ToString();
        if (raw.Length == 0)
        {
            await Error(context, 400, "InvalidRequest", "missing required parameter: blockIndex").ConfigureAwait(false);
            return;
        }

        if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var blockIndex))
        {
            await Error(context, 400, "InvalidRequest", "invalid integer parameter: blockIndex").ConfigureAwait(false);
            return;
        }

        if (blockIndex < 0)
        {
            await Error(context, 400, "InvalidRequest", "blockIndex must be >= 0").ConfigureAwait(false);
            return;
        }

        var segment = _server.Archive.Find(index);
        if (segment is null)
        {
            await Error(context, 404, "SegmentNotFound", "segment not found").ConfigureAwait(false);
            return;
        }

        if (blockIndex >= segment.Blocks.Length || fault == ArchiveFault.NotFound)
        {
            await Error(context, 404, "BlockNotFound", "block index out of range").ConfigureAwait(false);
            return;
        }

        var block = segment.Blocks[blockIndex];
        var frame = segment.File.AsSpan((int)block.Offset + 8, (int)block.CompressedSize).ToArray();
        await ServeAsync(context, segment, frame, $"\"{segment.Checksum}:{blockIndex}\"", fault, corruptAt: frame.Length - 1).ConfigureAwait(false);
    }

    private static async Task ServeAsync(HttpContext context, ArchiveSegment segment, byte[] bytes, string etag, ArchiveFault? fault, int corruptAt)
    {
        context.Response.Headers.CacheControl = "public, no-cache";
        if (fault == ArchiveFault.TruncatedBody)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = bytes.Length;
            context.Response.Headers.ETag = etag; // as a real server would have sent before the connection died
            context.Response.Headers.AcceptRanges = "bytes";
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2)).ConfigureAwait(false);
            await context.Response.Body.FlushAsync().ConfigureAwait(false);

            // Give the client time to read what was sent: a reset can discard bytes still unread in its socket.
            await Task.Delay(100, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            context.Abort();
            return;
        }

        if (fault == ArchiveFault.CorruptBody)
        {
            bytes = (byte[])bytes.Clone();
            bytes[corruptAt] ^= 0x5A;
        }

        await Results.File(bytes, "application/octet-stream", lastModified: segment.Modified, entityTag: new EntityTagHeaderValue(etag), enableRangeProcessing: true)
            .ExecuteAsync(context).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext context, ArchiveFault? fault)
    {
        _ = fault;
        var limit = 100;
        if (context.Request.Query["limit"].ToString() is { Length: > 0 } rawLimit)
        {
            if (!int.TryParse(rawLimit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
            {
                await Error(context, 400, "InvalidRequest", "invalid integer parameter: limit").ConfigureAwait(false);
                return;
            }

            if (limit <= 0)
            {
                await Error(context, 400, "InvalidRequest", "limit must be positive").ConfigureAwait(false);
                return;
            }

            limit = Math.Min(limit, 1000);
        }

        ulong from = 0;
        if (context.Request.Query["cursor"].ToString() is { Length: > 0 } rawCursor && !ulong.TryParse(rawCursor, NumberStyles.None, CultureInfo.InvariantCulture, out from))
        {
            await Error(context, 400, "InvalidRequest", "invalid cursor").ConfigureAwait(false);
            return;
        }

        var all = _server.Archive.Segments.Where(s => (ulong)s.Index >= from).ToList();
        var page = all.Take(limit).ToList();
        var output = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            if (all.Count > page.Count)
            {
                w.WriteString("cursor", all[page.Count].Index.ToString(CultureInfo.InvariantCulture));
            }

            w.WriteStartArray("segments");
            foreach (var s in page)
            {
                w.WriteStartObject();
                w.WriteString("checksum", s.Checksum);
                w.WriteNumber("eventCount", s.Header.EventCount);
                w.WriteNumber("index", s.Index);
                w.WriteNumber("maxSeq", s.Header.MaxSeq);
                w.WriteNumber("maxWitnessedAt", s.Header.MaxWitnessedAt);
                w.WriteNumber("minSeq", s.Header.MinSeq);
                w.WriteNumber("minWitnessedAt", s.Header.MinWitnessedAt);
                w.WriteString("name", s.Name);
                w.WriteNumber("sizeBytes", s.File.Length);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(output.WrittenMemory).ConfigureAwait(false);
    }

    private static (ArchivePlanRequest? Request, string? Problem) ParsePlan(string body)
    {
        try
        {
            return ParsePlanBody(body);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A field of the wrong JSON type.
            return (null, "invalid request body");
        }
    }

    private static (ArchivePlanRequest? Request, string? Problem) ParsePlanBody(string body)
    {
        JsonElement root;
        try
        {
            root = JsonElement.Parse(body);
        }
        catch (JsonException)
        {
            return (null, "invalid request body");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, "invalid request body");
        }

        static List<string>? Strings(JsonElement root, string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
                ? v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText()).ToList()
                : null;

        var kinds = Strings(root, "kinds") ?? [];
        if (kinds.Count > 4)
        {
            return (null, "too many kinds");
        }

        if (kinds.FirstOrDefault(k => !KnownKinds.Contains(k)) is { } badKind)
        {
            return (null, "invalid kind: " + badKind);
        }

        var dids = Strings(root, "dids") ?? [];
        if (dids.Count > 10_000)
        {
            return (null, "too many DIDs");
        }

        if (dids.FirstOrDefault(d => !d.StartsWith("did:", StringComparison.Ordinal) || d.Length < 8) is { } badDid)
        {
            return (null, "invalid DID: " + badDid);
        }

        var collections = Strings(root, "collections") ?? [];
        if (collections.Count > 100)
        {
            return (null, "too many collections");
        }

        foreach (var c in collections)
        {
            var wildcard = c.EndsWith(".*", StringComparison.Ordinal);
            var probe = wildcard ? c[..^1] + "x" : c;
            if (!Jetstream.Reactive.Internal.Nsid.IsValid(probe))
            {
                return (null, (wildcard ? "invalid collection wildcard: " : "invalid collection: ") + c);
            }
        }

        long after = 0;
        long? before = null;
        if (root.TryGetProperty("afterSeq", out var a) && a.ValueKind != JsonValueKind.Null)
        {
            after = a.GetInt64();
            if (after < 0)
            {
                return (null, "afterSeq must be >= 0");
            }
        }

        if (root.TryGetProperty("beforeSeq", out var b) && b.ValueKind != JsonValueKind.Null)
        {
            before = b.GetInt64();
            if (before < 0)
            {
                return (null, "beforeSeq must be >= 0");
            }

            if (before <= after && root.TryGetProperty("afterSeq", out _))
            {
                return (null, "beforeSeq must be greater than afterSeq");
            }
        }

        if (collections.Count > 0 && kinds.Count > 0 && !kinds.Contains("commit"))
        {
            return (null, "collections filter can never apply: kinds excludes commit");
        }

        return (new ArchivePlanRequest(
            kinds.ToHashSet(StringComparer.Ordinal),
            dids.ToHashSet(StringComparer.Ordinal),
            collections.Where(c => !c.EndsWith(".*", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal),
            collections.Where(c => c.EndsWith(".*", StringComparison.Ordinal)).Select(c => c[..^1]).ToList(),
            after,
            before), null);
    }
}
