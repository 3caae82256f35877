namespace Jetstream.Reactive.Hosting;

/// <summary>What became of a <see cref="JetstreamSourcedEvent"/> once every handler was done with it.</summary>
public enum JetstreamEventOutcome
{
    /// <summary>Every handler handled it: acknowledge it.</summary>
    Handled,

    /// <summary>At least one handler threw on it: answer per the source's failure policy (deliver again later, or give up).</summary>
    Failed,

    /// <summary>At least one handler never got it (its buffer was full, or the host stopped first) and none failed: deliver it again.</summary>
    NotHandled,
}
