namespace Jetstream.Reactive.Buffering;

/// <summary>
/// The buffer a session's reader fills directly (the stream's own, or the async handler's queue in its place), as the
/// reader sees it for drop before decode (#16): whether it is full, and a drop of an event the reader did not build.
/// </summary>
internal interface IIncomingDropTarget
{
    /// <summary>Whether the buffer holds its capacity in events: the next one would be dropped whatever its size.</summary>
    bool IsFull { get; }

    /// <summary>
    /// Drops <paramref name="header"/>, counted like any drop, if the buffer is still full and its subscriber still takes
    /// events; otherwise does nothing, and the reader builds the event and passes it on as usual.
    /// </summary>
    /// <returns>Whether it was dropped.</returns>
    bool TryDropIncoming(JetstreamEvent header);
}
