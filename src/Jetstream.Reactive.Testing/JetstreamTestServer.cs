using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Testing.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Testing;

/// <summary>
/// A local Jetstream server on 127.0.0.1 with the real servers' semantics: v1 <c>/subscribe</c> (filters, inclusive
/// cursor replay, <c>compress=true</c>, <c>requireHello</c> and <c>options_update</c>, <c>maxMessageSizeBytes</c>, the
/// slow-subscriber outbox), v2 <c>subscribeEvents</c> (envelopes, seq cursors, <c>CursorTooOld</c>, dictionary zstd) and
/// <c>getZstdDictionary</c>; plus scriptable faults and a record of every connection. Start it with
/// <see cref="StartAsync"/>; dispose it to stop.
/// </summary>
public sealed partial class JetstreamTestServer : IAsyncDisposable
{
    /// <summary>The largest client message the servers read (10,000,000 bytes).</summary>
    public const int MaxClientMessageBytes = 10_000_000;

    private const string SubscribePath = "/subscribe";
    private const string SubscribeEventsPath = "/xrpc/network.bsky.jetstream.subscribeEvents";
    private const string DictionaryPath = "/xrpc/network.bsky.jetstream.getZstdDictionary";

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<EmulatorConnection> _connections = new();
    private readonly ConcurrentDictionary<uint, ReadOnlyMemory<byte>> _dictionaries = new();
    private readonly object _sourceLock = new();
    private IEnumerator<ReadOnlyMemory<byte>>? _source;
    private Task _ingest = Task.CompletedTask;
    private uint _currentDictionary;
    private int _connectionCount;
    private long _badSourceEvents;

    private JetstreamTestServer(JetstreamTestServerOptions options, WebApplication app)
    {
        Options = options;
        _app = app;
        Log = new EventLog(options.TimeProvider, options.RetainedEvents);
        foreach (var dictionary in options.V2Dictionaries)
        {
            AddDictionary(dictionary);
        }
    }

    /// <summary>The server's settings.</summary>
    public JetstreamTestServerOptions Options { get; }

    /// <summary>The base WebSocket URL, <c>ws://127.0.0.1:port</c>: use it as <see cref="JetstreamOptions.Endpoint"/>.</summary>
    public Uri Uri { get; private set; } = null!;

    /// <summary>The same host as an HTTP URL, for <c>getZstdDictionary</c>.</summary>
    public Uri HttpUri { get; private set; } = null!;

    /// <summary>The faults new connections get; queue scripts here while the server runs.</summary>
    public FaultPlan Faults => Options.Faults;

    /// <summary>The connection requests so far, in arrival order: the newest <see cref="JetstreamTestServerOptions.MaxConnectionHistory"/>.</summary>
    public IReadOnlyList<EmulatorConnection> Connections => _connections.ToArray();

    /// <summary>The sequence number the next ingested event gets (events so far + 1).</summary>
    public long NextSeq => Log.NextSeq;

    /// <summary>The oldest sequence number still retained for cursor replay.</summary>
    public long FloorSeq => Log.FloorSeq;

    /// <summary>Source events skipped because they were not JSON objects with a string <c>did</c> and <c>kind</c>.</summary>
    public long BadSourceEvents => Interlocked.Read(ref _badSourceEvents);

    /// <summary>The current v2 dictionary ID.</summary>
    public uint CurrentDictionaryId => _currentDictionary;

    internal EventLog Log { get; }

    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Starts a server on 127.0.0.1 and returns when it accepts connections.</summary>
    /// <param name="options">The settings; default <see cref="JetstreamTestServerOptions"/>'s defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public static async Task<JetstreamTestServer> StartAsync(JetstreamTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new JetstreamTestServerOptions();
        Validate(options);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestHeadersTotalSize = 1024 * 1024;
            k.Limits.MaxRequestLineSize = 1024 * 1024;
        });
        var app = builder.Build();
        var server = new JetstreamTestServer(options, app);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.PingInterval });
        app.Map(SubscribePath, server.HandleSubscribeAsync);
        app.Map(SubscribeEventsPath, server.HandleSubscribeEventsAsync);
        app.MapGet(DictionaryPath, server.HandleDictionaryAsync);
        Testing.Archive.ArchiveHttp.Map(app, server);

        server.StartSource();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        server.Uri = new Uri($"ws://127.0.0.1:{port}");
        server.HttpUri = new Uri($"http://127.0.0.1:{port}");
        return server;
    }

    /// <summary>Ingests events now (as a live server would on new commits), waking every connection that waits for them.</summary>
    /// <param name="events">v1 event JSON, such as <see cref="TestEvents"/> builds.</param>
    /// <returns>The sequence number of the first event ingested.</returns>
    public long Publish(params string[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var first = Log.NextSeq;
        Log.Append(events.Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e)), _ => Interlocked.Increment(ref _badSourceEvents));
        return first;
    }

    /// <summary>
    /// Replaces the instance behind this server's name, as a redeploy does: the log is emptied and sequence numbers start
    /// from 1 again (seqs are per instance). Connections already open go on; new ones see the new numbering, and a v2
    /// cursor above it means the live tail.
    /// </summary>
    public void ResetSequence() => Log.Reset();

    /// <summary>Adds a v2 dictionary and makes it current (a rotation): clients asking for the old ID get <c>UnknownZstdDictionary</c>.</summary>
    /// <param name="dictionary">A structured zstd dictionary with a non-zero ID.</param>
    /// <returns>Its ID.</returns>
    public uint RotateDictionary(ReadOnlyMemory<byte> dictionary) => AddDictionary(dictionary);

    /// <summary>Waits until <paramref name="count"/> connection requests have arrived, or <paramref name="timeout"/> passes.</summary>
    /// <param name="count">How many.</param>
    /// <param name="timeout">The most to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The connections.</returns>
    /// <exception cref="TimeoutException">Fewer arrived in time.</exception>
    public async Task<IReadOnlyList<EmulatorConnection>> WaitForConnectionsAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (Volatile.Read(ref _connectionCount) < count)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{Volatile.Read(ref _connectionCount)} of {count} connections arrived within {timeout}.");
            }
        }

        return Connections;
    }

    /// <summary>Stops the server: every connection ends (without a close frame), and the port is released.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _ingest.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        lock (_sourceLock)
        {
            _source?.Dispose();
        }
    }

    private static void Validate(JetstreamTestServerOptions o)
    {
        if (!(o.EventsPerSecond >= 0.001 && o.EventsPerSecond <= 10_000_000))
        {
            throw new ArgumentException($"JetstreamTestServerOptions.EventsPerSecond is {o.EventsPerSecond}; it must be between 0.001 and 10,000,000.", nameof(o));
        }

        if (o.RetainedEvents < 1)
        {
            throw new ArgumentException($"JetstreamTestServerOptions.RetainedEvents is {o.RetainedEvents}; it must be at least 1.", nameof(o));
        }

        if (o.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"JetstreamTestServerOptions.Port is {o.Port}; it must be 0 (any free port) to 65535.", nameof(o));
        }

        if (o.SlowSubscriberOutbox < 1)
        {
            throw new ArgumentException($"JetstreamTestServerOptions.SlowSubscriberOutbox is {o.SlowSubscriberOutbox}; it must be at least 1.", nameof(o));
        }

        if (o.MaxConnectionHistory < 1)
        {
            throw new ArgumentException($"JetstreamTestServerOptions.MaxConnectionHistory is {o.MaxConnectionHistory}; it must be at least 1.", nameof(o));
        }

        if (o.PingInterval <= TimeSpan.Zero && o.PingInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"JetstreamTestServerOptions.PingInterval is {o.PingInterval}; it must be positive, or Timeout.InfiniteTimeSpan for no pings.", nameof(o));
        }

        if (o.PongTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"JetstreamTestServerOptions.PongTimeout is {o.PongTimeout}; it must be positive.", nameof(o));
        }

        if (o.ReplayScanRate is { } scan && !(scan >= 1 && scan <= 100_000_000))
        {
            throw new ArgumentException($"JetstreamTestServerOptions.ReplayScanRate is {scan}; it must be between 1 and 100,000,000 events/s, or null for no pacing.", nameof(o));
        }

        if (o.V2Dictionaries is not { Count: > 0 } || o.V2Dictionaries.Any(d => !JetstreamZstdDictionaries.TryReadId(d.Span, out _)))
        {
            throw new ArgumentException("JetstreamTestServerOptions.V2Dictionaries must hold at least one structured zstd dictionary, each with a non-zero ID.", nameof(o));
        }

        ArgumentNullException.ThrowIfNull(o.TimeProvider);
        ArgumentNullException.ThrowIfNull(o.Faults);
    }

    private uint AddDictionary(ReadOnlyMemory<byte> dictionary)
    {
        if (!JetstreamZstdDictionaries.TryReadId(dictionary.Span, out var id))
        {
            throw new ArgumentException("Not a structured zstd dictionary with a non-zero ID.", nameof(dictionary));
        }

        _dictionaries[id] = dictionary;
        _currentDictionary = id;
        return id;
    }

    private void StartSource()
    {
        if (Options.Events is not { } events)
        {
            return;
        }

        if (Options.Mode == EmulatorMode.Replay)
        {
            Log.Append(events.Read(), _ => Interlocked.Increment(ref _badSourceEvents));
            return;
        }

        _source = events.Read().GetEnumerator();
        _ingest = IngestLiveAsync(events, _stopping.Token);
    }

    private async Task IngestLiveAsync(JetstreamEventSource events, CancellationToken token)
    {
        var time = Options.TimeProvider;
        var started = time.GetTimestamp();
        long ingested = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10), time);
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            var due = (long)(time.GetElapsedTime(started).TotalSeconds * Options.EventsPerSecond);
            var batch = new List<ReadOnlyMemory<byte>>();
            lock (_sourceLock)
            {
                while (ingested + batch.Count < due)
                {
                    if (!_source!.MoveNext())
                    {
                        if (!Options.LoopSource)
                        {
                            break;
                        }

                        _source.Dispose();
                        _source = events.Read().GetEnumerator();
                        if (!_source.MoveNext())
                        {
                            break;
                        }
                    }

                    batch.Add(_source.Current);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            ingested += batch.Count;
            Log.Append(batch, _ => Interlocked.Increment(ref _badSourceEvents));
        }
    }

    private Task HandleSubscribeAsync(HttpContext context) => HandleAsync(context, EmulatorEndpoint.Subscribe);

    private Task HandleSubscribeEventsAsync(HttpContext context) => HandleAsync(context, EmulatorEndpoint.SubscribeEvents);

    private async Task HandleAsync(HttpContext context, EmulatorEndpoint endpoint)
    {
        var rawQuery = context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : string.Empty;
        var query = HttpUtility.ParseQueryString(rawQuery);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var record = new EmulatorConnection(Interlocked.Increment(ref _connectionCount), endpoint, context.Request.Path, rawQuery, query, headers);
        _connections.Enqueue(record);
        while (_connections.Count > Options.MaxConnectionHistory && _connections.TryDequeue(out _))
        {
        }

        if (!OriginCheck.Allowed(headers, Options.AllowedOrigins))
        {
            await RejectAsync(context, record, RequestRules.Text(403, "cross-origin WebSocket requests are refused: the Origin is neither loopback nor in JetstreamTestServerOptions.AllowedOrigins")).ConfigureAwait(false);
            return;
        }

        var script = Faults.Take();
        if (script?.RejectStatus is { } status)
        {
            var looksJson = script.RejectBody.TrimStart().StartsWith('{');
            await RejectAsync(context, record, new Rejection(status, script.RejectBody, looksJson ? "application/json" : "text/plain; charset=utf-8")).ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RejectAsync(context, record, endpoint == EmulatorEndpoint.Subscribe
                ? RequestRules.Text(400, "expected a WebSocket upgrade")
                : RequestRules.Xrpc(400, "InvalidRequest", "expected a WebSocket upgrade")).ConfigureAwait(false);
            return;
        }

        var (start, rejection) = endpoint == EmulatorEndpoint.Subscribe
            ? RequestRules.V1(query, headers, Options, Log)
            : RequestRules.V2(query, headers, Options, Log, _dictionaries, _currentDictionary);
        if (rejection is not null)
        {
            await RejectAsync(context, record, rejection).ConfigureAwait(false);
            return;
        }

        record.Status = 101;
        record.Compressed = start!.Compressed;
        record.DictionaryId = start.DictionaryId;
        // The upgrade is made here rather than by AcceptWebSocketAsync so that the connection's stream can go dark
        // (ConnectionScript.GoDarkAfter): the WebSocket over it then neither sends nor answers pings.
        var upgrade = context.Features.Get<IHttpUpgradeFeature>()!;
        var key = context.Request.Headers["Sec-WebSocket-Key"].ToString();
#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for Sec-WebSocket-Accept; it is a handshake check, not security.
        context.Response.Headers["Sec-WebSocket-Accept"] = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
        if (start.SubProtocol is { } subProtocol)
        {
            context.Response.Headers["Sec-WebSocket-Protocol"] = subProtocol;
        }

        var pings = Options.PingInterval == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : Options.PingInterval;
        var stream = new DarkableStream(await upgrade.UpgradeAsync().ConfigureAwait(false));
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = start.SubProtocol,
            KeepAliveInterval = pings,

            // Both servers send real pings (without a timeout the runtime would send unsolicited pongs instead). The
            // newer server drops a connection whose pong does not come within 5 s; legacy never checks (a day is never).
            KeepAliveTimeout = Options.Flavor == ServerFlavor.Current ? Options.PongTimeout : TimeSpan.FromDays(1),
        });
        stream.Disposed = () =>
        {
            // The runtime aborted the socket (a pong that never came): end the TCP connection too, as a real server does.
            if (socket.State == WebSocketState.Aborted)
            {
                context.Abort();
            }
        };
        var connection = new ConnectionContext(this, context, socket, stream, record, start, script);
        await connection.RunAsync().ConfigureAwait(false);
    }

    private static async Task RejectAsync(HttpContext context, EmulatorConnection record, Rejection rejection)
    {
        record.Status = rejection.Status;
        record.RejectionBody = rejection.Body;
        record.End($"rejected with {rejection.Status}");
        context.Response.StatusCode = rejection.Status;
        context.Response.ContentType = rejection.ContentType;
        await context.Response.WriteAsync(rejection.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task HandleDictionaryAsync(HttpContext context)
    {
        var id = _currentDictionary;
        if (context.Request.Query["id"] is { Count: > 0 } requested)
        {
            if (!uint.TryParse(requested[0], out id) || !_dictionaries.ContainsKey(id))
            {
                context.Response.StatusCode = 404;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(RequestRules.Xrpc(404, "DictionaryNotFound", $"no dictionary {requested[0]}; the current dictionary is {_currentDictionary}").Body, context.RequestAborted).ConfigureAwait(false);
                return;
            }
        }

        var bytes = _dictionaries[id];
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ETag = $"\"zstd-dict-{id}\"";
        context.Response.Headers["X-Zstd-Dictionary-Id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }
}
