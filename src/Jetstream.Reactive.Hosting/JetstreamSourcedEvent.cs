namespace Jetstream.Reactive.Hosting;

/// <summary>An event from an <see cref="IJetstreamEventSource"/>, with the way to tell the source what became of it.</summary>
public sealed class JetstreamSourcedEvent
{
    private readonly Func<JetstreamEventOutcome, ValueTask> _settle;

    /// <summary>Creates the pair.</summary>
    /// <param name="jetstreamEvent">The event.</param>
    /// <param name="settle">Acknowledges the event in the source (or asks for it again); called at most once, from any thread.</param>
    public JetstreamSourcedEvent(JetstreamEvent jetstreamEvent, Func<JetstreamEventOutcome, ValueTask> settle)
    {
        ArgumentNullException.ThrowIfNull(jetstreamEvent);
        ArgumentNullException.ThrowIfNull(settle);
        Event = jetstreamEvent;
        _settle = settle;
    }

    /// <summary>The event, as the handlers receive it.</summary>
    public JetstreamEvent Event { get; }

    /// <summary>Tells the source what became of the event. The host calls it once, when every handler is done with it.</summary>
    /// <param name="outcome">What became of it.</param>
    /// <returns>A task that completes when the source has taken it (such as the acknowledgement sent).</returns>
    public ValueTask SettleAsync(JetstreamEventOutcome outcome) => _settle(outcome);
}
