namespace Jetstream.Reactive;

/// <summary>What to do when a v2 server rejects the cursor as older than it keeps (<see cref="JetstreamOptions.OnCursorTooOld"/>).</summary>
public enum JetstreamCursorTooOldBehavior
{
    /// <summary>End the stream with the <see cref="JetstreamHandshakeException"/> (<c>CursorTooOld</c>): the caller decides how to fill the gap.</summary>
    Fail,

    /// <summary>
    /// Reconnect at once from the live tail, accepting the gap: a Warning is logged and
    /// <c>jetstream.client.cursor.restarts</c> is counted.
    /// </summary>
    RestartFromLive,
}
