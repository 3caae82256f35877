namespace Jetstream.Reactive.Buffering;

/// <summary>The reader stopped because the buffer was full (<see cref="JetstreamOverflow.ResumeFromCursor"/>): reconnect once it drained.</summary>
internal sealed class OverflowPauseException : JetstreamException
{
    public OverflowPauseException()
        : base("The buffer was full; the connection was closed to resume from the cursor once the subscriber catches up.")
    {
    }
}
