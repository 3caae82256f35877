using System.Collections.Specialized;
using System.Net.WebSockets;

namespace Jetstream.Reactive.Testing;

/// <summary>
/// What the server saw of one connection, for assertions: the request, how it was answered, what was sent and what
/// the client sent. Counters and lists are safe to read while the connection runs.
/// </summary>
public sealed class EmulatorConnection
{
    private readonly object _lock = new();
    private const int MaxSentSequence = 100_000;
    private const int MaxClientMessages = 1_000;

    private readonly List<long> _sentSeqs = [];
    private readonly List<string> _clientMessages = [];
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _eventsSent;
    private long _framesSent;
    private long _bytesSent;

    internal EmulatorConnection(int number, EmulatorEndpoint endpoint, string path, string query, NameValueCollection parsedQuery, IReadOnlyDictionary<string, string> headers)
    {
        Number = number;
        Endpoint = endpoint;
        Path = path;
        Query = query;
        QueryValues = parsedQuery;
        Headers = headers;
    }

    /// <summary>1 for the first connection the server accepted a request for, 2 for the next, …</summary>
    public int Number { get; }

    /// <summary>Which endpoint the client asked for.</summary>
    public EmulatorEndpoint Endpoint { get; }

    /// <summary>The request path.</summary>
    public string Path { get; }

    /// <summary>The raw query string, without the leading <c>?</c>.</summary>
    public string Query { get; }

    /// <summary>The query parsed (repeated keys give comma-joined values; use <see cref="NameValueCollection.GetValues(string)"/>).</summary>
    public NameValueCollection QueryValues { get; }

    /// <summary>The request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The <c>cursor</c> query value, if one was sent and parsed.</summary>
    public long? RequestedCursor => long.TryParse(QueryValues["cursor"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : null;

    /// <summary>The HTTP status the upgrade was answered with: 101, or the rejection's status.</summary>
    public int Status { get; internal set; }

    /// <summary>The rejection's body, when <see cref="Status"/> is not 101.</summary>
    public string? RejectionBody { get; internal set; }

    /// <summary>Whether frames are zstd-compressed on this connection.</summary>
    public bool Compressed { get; internal set; }

    /// <summary>The zstd dictionary ID in use, or <see langword="null"/>.</summary>
    public uint? DictionaryId { get; internal set; }

    /// <summary>Events sent (injected frames not included).</summary>
    public long EventsSent => Interlocked.Read(ref _eventsSent);

    /// <summary>Frames sent, injected and control frames such as v2 <c>#info</c> included.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Bytes of frame payload sent.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>The sequence numbers of the events sent, in order: the newest 100,000.</summary>
    public IReadOnlyList<long> SentSequence
    {
        get
        {
            lock (_lock)
            {
                return _sentSeqs.ToArray();
            }
        }
    }

    /// <summary>The text messages the client sent (such as <c>options_update</c>), in order: the newest 1,000.</summary>
    public IReadOnlyList<string> ClientMessages
    {
        get
        {
            lock (_lock)
            {
                return _clientMessages.ToArray();
            }
        }
    }

    /// <summary>Why the connection ended, such as <c>client closed</c> or <c>dropped by fault after 100 events</c>; <see langword="null"/> while it runs.</summary>
    public string? EndReason { get; private set; }

    /// <summary>The close code the server sent, if it sent a close frame.</summary>
    public WebSocketCloseStatus? ServerCloseStatus { get; internal set; }

    /// <summary>Completes when the connection has ended.</summary>
    public Task Ended => _ended.Task;

    /// <inheritdoc />
    public override string ToString() =>
        $"#{Number} {Path}?{Query} → {Status}, {EventsSent} events, {EndReason ?? "open"}";

    internal void RecordEvent(long seq, int bytes)
    {
        lock (_lock)
        {
            // Bounded: a connection that streams for hours must not keep every sequence number.
            if (_sentSeqs.Count >= MaxSentSequence)
            {
                _sentSeqs.RemoveRange(0, MaxSentSequence / 10);
            }

            _sentSeqs.Add(seq);
        }

        Interlocked.Increment(ref _eventsSent);
        RecordFrame(bytes);
    }

    internal void RecordFrame(int bytes)
    {
        Interlocked.Increment(ref _framesSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void RecordClientMessage(string text)
    {
        lock (_lock)
        {
            if (_clientMessages.Count >= MaxClientMessages)
            {
                _clientMessages.RemoveRange(0, MaxClientMessages / 10);
            }

            _clientMessages.Add(text);
        }
    }

    internal void End(string reason)
    {
        lock (_lock)
        {
            EndReason ??= reason;
        }

        _ended.TrySetResult();
    }
}
