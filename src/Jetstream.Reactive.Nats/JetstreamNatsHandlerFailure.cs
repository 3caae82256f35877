namespace Jetstream.Reactive.Nats;

/// <summary>What a NATS consumer does with a message whose handler failed (<see cref="JetstreamNatsConsumerOptions.OnHandlerError"/>).</summary>
public enum JetstreamNatsHandlerFailure
{
    /// <summary>Negative-acknowledge it with <see cref="JetstreamNatsConsumerOptions.NakDelay"/>: the server delivers it again (to any worker) after the delay, up to <see cref="JetstreamNatsConsumerOptions.MaxDeliver"/> times.</summary>
    Nak,

    /// <summary>Terminate it: the server never delivers it again (for handlers whose failures are final).</summary>
    Terminate,
}
