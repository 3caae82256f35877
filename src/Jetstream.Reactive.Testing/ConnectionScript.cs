using System.Net.WebSockets;

namespace Jetstream.Reactive.Testing;

/// <summary>
/// What the server does on one connection: reject the upgrade, or serve it and, after given numbers of events,
/// inject broken frames, drop the TCP connection, stall, go dark, close, send a v2 error frame, send an event with a
/// hostile cursor, or restart the server's sequence numbers. Build one with the fluent
/// methods and queue it with <see cref="FaultPlan.Next(ConnectionScript)"/>.
/// </summary>
public sealed class ConnectionScript
{
    private readonly List<FaultStep> _steps = [];

    /// <summary>The upgrade is answered with this HTTP status instead of 101, or <see langword="null"/> to accept.</summary>
    public int? RejectStatus { get; private set; }

    /// <summary>The body of the rejection.</summary>
    public string RejectBody { get; private set; } = string.Empty;

    /// <summary>The size of <see cref="MalformedFrameKind.Oversized"/> frames, in bytes. Default 50,000,000.</summary>
    public int OversizedBytes { get; set; } = 50_000_000;

    /// <summary>The steps, in the order they fire.</summary>
    public IReadOnlyList<FaultStep> Steps => _steps.OrderBy(s => s.AfterEvents).ToList();

    /// <summary>Answers the upgrade with <paramref name="status"/> and <paramref name="body"/> (sent as is: plain text for v1, put JSON here for v2).</summary>
    /// <param name="status">An HTTP status other than 101, such as 400 or 503.</param>
    /// <param name="body">The response body.</param>
    /// <returns>This script.</returns>
    public ConnectionScript RejectUpgrade(int status, string body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 200);
        RejectStatus = status;
        RejectBody = body ?? string.Empty;
        return this;
    }

    /// <summary>After <paramref name="events"/> events have been sent, sends one <paramref name="kind"/> frame, then goes on.</summary>
    /// <param name="events">How many events first (0 = before any).</param>
    /// <param name="kind">The broken frame.</param>
    /// <returns>This script.</returns>
    public ConnectionScript InjectAfter(long events, MalformedFrameKind kind) => Add(new FaultStep(events, FaultAction.Inject, Kind: kind));

    /// <summary>After <paramref name="events"/> events, ends the TCP connection without a close frame (the client sees 1006).</summary>
    /// <param name="events">How many events first.</param>
    /// <returns>This script.</returns>
    public ConnectionScript DropAfter(long events) => Add(new FaultStep(events, FaultAction.Drop));

    /// <summary>After <paramref name="events"/> events, keeps the socket open (answering pings) but sends nothing more.</summary>
    /// <param name="events">How many events first.</param>
    /// <returns>This script.</returns>
    public ConnectionScript StallAfter(long events) => Add(new FaultStep(events, FaultAction.Stall));

    /// <summary>After <paramref name="events"/> events, sends a close frame with <paramref name="status"/> and <paramref name="reason"/>.</summary>
    /// <param name="events">How many events first.</param>
    /// <param name="status">The close code, such as 1001 or 1008.</param>
    /// <param name="reason">The close reason (at most 123 UTF-8 bytes).</param>
    /// <returns>This script.</returns>
    public ConnectionScript CloseAfter(long events, WebSocketCloseStatus status, string reason = "") => Add(new FaultStep(events, FaultAction.Close, Status: status, Text: reason));

    /// <summary>
    /// After <paramref name="events"/> events, sends a v2 error frame (<c>{"$type":"error","error":…,"message":…}</c>)
    /// and closes, as the v2 server does for <c>ConsumerTooSlow</c> or <c>InternalError</c>. On v1 it closes with 1011.
    /// </summary>
    /// <param name="events">How many events first.</param>
    /// <param name="error">The error name, such as <c>ConsumerTooSlow</c>.</param>
    /// <param name="message">The message.</param>
    /// <returns>This script.</returns>
    public ConnectionScript ErrorFrameAfter(long events, string error, string message) => Add(new FaultStep(events, FaultAction.ErrorFrame, Text: error, Message: message));

    /// <summary>
    /// After <paramref name="events"/> events, the server goes dark, like a peer behind a silent network partition: it
    /// sends nothing more (no events, no pings, no pongs) and ignores what arrives, so the client's pings go
    /// unanswered, but TCP stays open until the client closes it. Only the client's keep-alive can tell.
    /// </summary>
    /// <param name="events">How many events first.</param>
    /// <returns>This script.</returns>
    public ConnectionScript GoDarkAfter(long events) => Add(new FaultStep(events, FaultAction.GoDark));

    /// <summary>
    /// After <paramref name="events"/> events, sends one well-formed commit whose cursor is <paramref name="value"/> (a
    /// buggy or hostile relay): on v1 its <c>time_us</c> (and the newer server's <c>cursor</c>), on v2 its <c>seq</c>.
    /// The connection then goes on.
    /// </summary>
    /// <param name="events">How many events first.</param>
    /// <param name="value">The cursor value, such as <see cref="long.MaxValue"/> or a negative number.</param>
    /// <returns>This script.</returns>
    public ConnectionScript HostileCursorAfter(long events, long value) => Add(new FaultStep(events, FaultAction.HostileCursor, Value: value));

    /// <summary>
    /// After <paramref name="events"/> events, the instance behind the server's name is replaced
    /// (<see cref="JetstreamTestServer.ResetSequence"/>: the log empties and sequence numbers start from 1 again), and
    /// this connection ends without a close frame.
    /// </summary>
    /// <param name="events">How many events first.</param>
    /// <returns>This script.</returns>
    public ConnectionScript ResetSequenceAfter(long events) => Add(new FaultStep(events, FaultAction.ResetSequence));

    private ConnectionScript Add(FaultStep step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step.AfterEvents);
        _steps.Add(step);
        return this;
    }
}

/// <summary>What a <see cref="FaultStep"/> does.</summary>
public enum FaultAction
{
    /// <summary>Send a malformed frame and go on.</summary>
    Inject,

    /// <summary>End the TCP connection without a close frame.</summary>
    Drop,

    /// <summary>Send nothing more; keep the socket open.</summary>
    Stall,

    /// <summary>Send a close frame.</summary>
    Close,

    /// <summary>Send a v2 error frame and close.</summary>
    ErrorFrame,

    /// <summary>Send and read nothing more, pings and pongs included, but keep TCP open.</summary>
    GoDark,

    /// <summary>Send one event with the given cursor value and go on.</summary>
    HostileCursor,

    /// <summary>Restart the server's sequence numbers from 1 and end the connection without a close frame.</summary>
    ResetSequence,
}

/// <summary>One step of a <see cref="ConnectionScript"/>.</summary>
/// <param name="AfterEvents">The step fires once this many events have been sent on the connection.</param>
/// <param name="Action">What it does.</param>
/// <param name="Kind">The frame to inject, for <see cref="FaultAction.Inject"/>.</param>
/// <param name="Status">The close code, for <see cref="FaultAction.Close"/>.</param>
/// <param name="Text">The close reason, or the v2 error name.</param>
/// <param name="Message">The v2 error message.</param>
/// <param name="Value">The cursor value, for <see cref="FaultAction.HostileCursor"/>.</param>
public sealed record FaultStep(long AfterEvents, FaultAction Action, MalformedFrameKind Kind = default, WebSocketCloseStatus Status = WebSocketCloseStatus.NormalClosure, string Text = "", string Message = "", long Value = 0);
