using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

// Why this file is over 300 lines: the archive's HTTP surface in one place: every request goes through one bounded
// send with timeout, retry-after and size caps, and the plan parser beside it shares those caps.

namespace Jetstream.Reactive.Archive;

/// <summary>
/// The three archive calls with bounded sizes, per-request timeouts and retries: network errors, cut-off bodies,
/// corrupt data, 5xx and 429 are retried with doubling delays (a server's <c>Retry-After</c> wins, capped); other
/// 4xx fail at once. planSnapshot is read-only, so it is retried too.
/// </summary>
internal sealed class ArchiveHttpClient : IDisposable
{
    private const int MaxErrorBodyBytes = 512;
    private const int MaxPlanBytes = 64 * 1024 * 1024;

    private readonly JetstreamBackfillOptions _options;
    private readonly HttpClient _http;
    private readonly ArchiveMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<long> _onBytes;

    public ArchiveHttpClient(JetstreamBackfillOptions options, ArchiveMetrics metrics, ILogger logger, Action<long> onBytes)
    {
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _onBytes = onBytes;
        var handler = options.HttpHandler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), AutomaticDecompression = DecompressionMethods.None };
        _http = new HttpClient(handler, disposeHandler: options.HttpHandler is null)
        {
            BaseAddress = options.ResolveArchiveEndpoint(),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Jetstream.Reactive", typeof(ArchiveHttpClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    public void Dispose() => _http.Dispose();

    public Task<ArchivePlan> PlanAsync(string body, CancellationToken token) =>
        SendAsync(
            "planSnapshot",
            () => new HttpRequestMessage(HttpMethod.Post, "xrpc/network.bsky.jetstream.planSnapshot") { Content = new StringContent(body, Encoding.UTF8, "application/json") },
            _options.RequestTimeout,
            async (response, t) => ParsePlan(await ReadBoundedAsync(response, MaxPlanBytes, t).ConfigureAwait(false)),
            token);

    /// <summary>Fetches one block frame and decodes it inside the retry loop, so a corrupt frame is fetched again.</summary>
    public Task<T> GetBlockAsync<T>(string segment, int index, Func<byte[], T> decode, CancellationToken token) =>
        SendAsync(
            "getBlock",
            () => new HttpRequestMessage(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"xrpc/network.bsky.jetstream.getBlock?segment={Uri.EscapeDataString(segment)}&blockIndex={index}")),
            _options.RequestTimeout,
            async (response, t) =>
            {
                var frame = await ReadBoundedAsync(response, JssBlockDecoder.MaxBlockBytes, t).ConfigureAwait(false);
                _onBytes(frame.Length);
                return decode(frame);
            },
            token);

    /// <summary>
    /// Downloads a whole segment into a delete-on-close temp file and validates it (header, offsets, XXH3). A body cut
    /// off part way is resumed with <c>Range</c> from the bytes already held, guarded by <c>If-Range</c> with the
    /// first answer's ETag, so bytes of two file generations are never joined: a 200 (new generation, or ranges
    /// ignored) starts the file again, and a 206 that does not continue exactly where the file ends is refused.
    /// </summary>
    public async Task<ArchiveSegmentFile> GetSegmentAsync(string name, CancellationToken token)
    {
        var path = Path.Combine(_options.TempDirectory ?? Path.GetTempPath(), "jetstream-" + Guid.NewGuid().ToString("N") + ".jss");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        EntityTagHeaderValue? etag = null;
        try
        {
            return await SendAsync(
                "getSegment",
                () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, "xrpc/network.bsky.jetstream.getSegment?name=" + Uri.EscapeDataString(name));
                    if (file.Length > 0 && etag is not null)
                    {
                        request.Headers.Range = new RangeHeaderValue(file.Length, null);
                        request.Headers.IfRange = new RangeConditionHeaderValue(etag);
                    }

                    return request;
                },
                _options.SegmentTimeout,
                async (response, t) =>
                {
                    long total;
                    if (response.StatusCode == HttpStatusCode.PartialContent)
                    {
                        var range = response.Content.Headers.ContentRange;
                        if (etag is null || range is not { From: { } first, Length: { } length } || first != file.Length
                            || response.Headers.ETag is not { IsWeak: false } answered || answered.Tag != etag.Tag)
                        {
                            // Not the continuation asked for: never splice; the next attempt starts from byte 0.
                            Restart(file, ref etag);
                            throw new IOException("getSegment answered a range that does not continue the file");
                        }

                        total = length;
                    }
                    else
                    {
                        Restart(file, ref etag);
                        etag = response.Headers.ETag is { IsWeak: false } strong ? strong : null;
                        total = response.Content.Headers.ContentLength ?? -1;
                    }

                    if (total > _options.MaxSegmentBytes)
                    {
                        throw new JetstreamArchiveException("getSegment", response.StatusCode, null, string.Create(CultureInfo.InvariantCulture, $"segment is {total} bytes, above MaxSegmentBytes {_options.MaxSegmentBytes}"), retryable: false);
                    }

                    await AppendAsync(response, file, t).ConfigureAwait(false);
                    if (total >= 0 && file.Length != total)
                    {
                        throw new IOException(string.Create(CultureInfo.InvariantCulture, $"segment body ended after {file.Length} of {total} bytes"));
                    }

                    await file.FlushAsync(t).ConfigureAwait(false);
                    try
                    {
                        return ArchiveSegmentFile.Open(file);
                    }
                    catch (JssFormatException)
                    {
                        // Corrupt as a whole: fetch it again from the start.
                        Restart(file, ref etag);
                        throw;
                    }
                },
                token).ConfigureAwait(false);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void Restart(FileStream file, ref EntityTagHeaderValue? etag)
    {
        file.SetLength(0);
        file.Position = 0;
        etag = null;
    }

    private async Task AppendAsync(HttpResponseMessage response, FileStream file, CancellationToken token)
    {
        file.Position = file.Length;
        await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
            {
                if (file.Length + read > _options.MaxSegmentBytes)
                {
                    throw new JetstreamArchiveException("getSegment", response.StatusCode, null, "segment is larger than MaxSegmentBytes", retryable: false);
                }

                // Written as it arrives, so a cut-off body keeps what came for the resume.
                await file.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                _onBytes(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<T> SendAsync<T>(string endpoint, Func<HttpRequestMessage> create, TimeSpan timeout, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            Exception failure;
            TimeSpan? retryAfter = null;
            using (var deadline = new CancellationTokenSource(timeout, _options.TimeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(token, deadline.Token))
            {
                try
                {
                    using var request = create();
                    if (_options.ApiKey is { } key)
                    {
                        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
                    }

                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        return await read(response, linked.Token).ConfigureAwait(false);
                    }

                    retryAfter = RetryAfter(response);
                    failure = await ErrorAsync(endpoint, response, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException e)
                {
                    failure = new JetstreamArchiveException(endpoint, null, null, $"{endpoint} timed out after {timeout}", retryable: true) { Source = e.Source };
                }
                catch (Exception e) when (e is HttpRequestException or IOException or JssFormatException)
                {
                    failure = e;
                }
                catch (JetstreamArchiveException e)
                {
                    failure = e;
                }
            }

            var retryable = failure is not JetstreamArchiveException { IsRetryable: false };
            if (!retryable || attempt >= _options.MaxAttempts)
            {
                throw failure is JetstreamArchiveException or JssFormatException
                    ? failure
                    : new JetstreamArchiveException(endpoint, null, null, $"{endpoint} failed after {attempt} attempts: {failure.Message}", retryable: true);
            }

            var backoff = TimeSpan.FromTicks(Math.Min(_options.MaxRetryDelay.Ticks, _options.RetryBaseDelay.Ticks * (1L << Math.Min(attempt - 1, 20))));
            var delay = retryAfter is { } server ? TimeSpan.FromTicks(Math.Min(Math.Max(server.Ticks, 0), _options.MaxRetryDelay.Ticks)) : backoff;
            _metrics.Retries.Add(1, new KeyValuePair<string, object?>(ArchiveMetrics.EndpointTag, endpoint));
            _logger.BackfillRetry(endpoint, attempt, delay.TotalMilliseconds, Printable(failure.Message));
            await Task.Delay(delay, _options.TimeProvider, token).ConfigureAwait(false);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }

            if (header.Date is { } date)
            {
                return date - DateTimeOffset.UtcNow;
            }
        }

        if (response.Headers.TryGetValues("RateLimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            // Unix seconds per the brief; small values are a delta in seconds (the IETF draft's form).
            return reset > 1_000_000_000 ? DateTimeOffset.FromUnixTimeSeconds(reset) - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(reset);
        }

        return null;
    }

    private static async Task<JetstreamArchiveException> ErrorAsync(string endpoint, HttpResponseMessage response, CancellationToken token)
    {
        string text;
        try
        {
            var bytes = await ReadBoundedAsync(response, MaxErrorBodyBytes, token, truncate: true).ConfigureAwait(false);
            text = Encoding.UTF8.GetString(bytes);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            text = string.Empty;
        }

        string? error = null, message = null;
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                error = json.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                message = json.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Not an XRPC envelope (a gateway page): keep the status only.
        }

        var status = (int)response.StatusCode;
        var retryable = status >= 500 || status == 429;
        return new JetstreamArchiveException(
            endpoint,
            response.StatusCode,
            error is null ? null : Printable(error),
            string.Create(CultureInfo.InvariantCulture, $"{endpoint} answered HTTP {status}{(error is null ? "" : " " + Printable(error))}{(message is null ? "" : ": " + Printable(message))}"),
            retryable);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int max, CancellationToken token, bool truncate = false)
    {
        if (!truncate && response.Content.Headers.ContentLength is { } length && length > max)
        {
            throw new JetstreamArchiveException("archive", response.StatusCode, null, string.Create(CultureInfo.InvariantCulture, $"response of {length} bytes is above the limit of {max}"), retryable: false);
        }

        await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        var output = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
            {
                if (output.Length + read > max)
                {
                    if (truncate)
                    {
                        output.Write(buffer, 0, (int)(max - output.Length));
                        break;
                    }

                    throw new JetstreamArchiveException("archive", response.StatusCode, null, string.Create(CultureInfo.InvariantCulture, $"response is above the limit of {max} bytes"), retryable: false);
                }

                output.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (!truncate && response.Content.Headers.ContentLength is { } declared && declared != output.Length)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"body ended after {output.Length} of {declared} bytes"));
        }

        return output.ToArray();
    }

    /// <summary>Checks a page as the Go client does; anything off is a broken server and fatal.</summary>
    internal static ArchivePlan ParsePlan(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var tip = root.GetProperty("sealedTipSeq").GetInt64();
            var through = root.GetProperty("plannedThroughSeq").GetInt64();
            if (tip < 0 || through < 0 || through > tip)
            {
                throw BadPlan(string.Create(CultureInfo.InvariantCulture, $"sealedTipSeq {tip} and plannedThroughSeq {through} are not 0 <= planned <= tip"));
            }

            var units = new List<ArchivePlanUnit>();
            if (root.TryGetProperty("segments", out var segments) && segments.ValueKind == JsonValueKind.Array)
            {
                foreach (var s in segments.EnumerateArray())
                {
                    var name = s.GetProperty("name").GetString() ?? string.Empty;
                    if (!JssSegmentReader.TryParseSegmentName(name, out _))
                    {
                        throw BadPlan("a segment name is malformed");
                    }

                    var index = s.GetProperty("index").GetInt64();
                    var minSeq = s.GetProperty("minSeq").GetInt64();
                    var maxSeq = s.GetProperty("maxSeq").GetInt64();
                    if (index is < 0 or > uint.MaxValue || minSeq < 0 || maxSeq < minSeq)
                    {
                        throw BadPlan($"segment {name} has an invalid index or seq range");
                    }

                    var mode = s.GetProperty("mode").GetString();
                    var ranges = new List<(int, int)>();
                    if (mode == "blocks")
                    {
                        foreach (var r in s.GetProperty("blocks").EnumerateArray())
                        {
                            var first = r.GetProperty("first").GetInt32();
                            var last = r.GetProperty("last").GetInt32();
                            if (first < 0 || last < first || last >= JssSegmentReader.MaxBlocks)
                            {
                                throw BadPlan($"segment {name} has an invalid block range");
                            }

                            ranges.Add((first, last));
                        }

                        if (ranges.Count == 0)
                        {
                            throw BadPlan($"segment {name} is in blocks mode with no blocks");
                        }
                    }
                    else if (mode != "segment")
                    {
                        throw BadPlan($"segment {name} has unknown mode '{Printable(mode ?? "(none)")}'");
                    }

                    units.Add(new ArchivePlanUnit(name, index, s.TryGetProperty("checksum", out var c) ? c.GetString() ?? string.Empty : string.Empty, minSeq, maxSeq, mode == "segment", ranges));
                }
            }

            return new ArchivePlan(tip, through, units);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw BadPlan("the page is not the planSnapshot shape: " + e.Message);
        }
    }

    private static JetstreamArchiveException BadPlan(string message) =>
        new("planSnapshot", HttpStatusCode.OK, null, "Invalid archive plan: " + message + ".", retryable: false);

    /// <summary>Server text made safe for a log line or a terminal, the library's one way (<see cref="JetstreamText.Printable"/>), cut short.</summary>
    internal static string Printable(string text) => JetstreamText.Printable(text, MaxErrorBodyBytes);
}
