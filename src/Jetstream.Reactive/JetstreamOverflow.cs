namespace Jetstream.Reactive;

/// <summary>What happens when the subscriber falls <see cref="JetstreamOptions.BufferCapacity"/> events behind (<see cref="JetstreamOptions.Overflow"/>).</summary>
public enum JetstreamOverflow
{
    /// <summary>
    /// Each further incoming event is dropped and counted (<c>jetstream.client.events.dropped</c>); the queued events are
    /// kept and the connection goes on. Memory stays bounded; events are lost while the subscriber is behind.
    /// </summary>
    DropIncoming,

    /// <summary>
    /// The reader stops and the connection is closed; when the subscriber has drained the buffer to half, the stream
    /// reconnects from the cursor of the last event it queued, and the server replays what was missed. Nothing is lost
    /// as long as the server still retains those events (about a day on v1 servers); the event that found the buffer
    /// full is read again (counted as <c>jetstream.client.events.skipped</c> with reason <c>overflow</c>).
    /// </summary>
    ResumeFromCursor,
}
