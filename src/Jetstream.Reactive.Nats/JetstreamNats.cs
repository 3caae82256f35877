using NATS.Client.Core;

namespace Jetstream.Reactive.Nats;

/// <summary>Entry points of the NATS scale-out: the consumer side (the relay is <see cref="JetstreamNatsRelay"/>).</summary>
public static class JetstreamNats
{
    /// <summary>
    /// Events from a durable NATS consumer on the relay's stream, decoded by <see cref="JetstreamEventDecoder"/>. Each
    /// subscription is one worker. With <c>Subscribe</c>, a message is acknowledged when <c>OnNext</c> returns and
    /// answered per <see cref="JetstreamNatsConsumerOptions.OnHandlerError"/> when it throws; with
    /// <see cref="JetstreamNatsEvents.SubscribeAsync"/>, when the awaited handler completes or fails. Unacknowledged
    /// messages of a worker that dies come back to the others after <see cref="JetstreamNatsConsumerOptions.AckWait"/>.
    /// </summary>
    /// <param name="connection">The NATS connection (the caller owns it).</param>
    /// <param name="options">Which consumer and events; validated now.</param>
    /// <returns>A cold stream: each subscription is one worker pulling from the durable consumer.</returns>
    /// <exception cref="JetstreamOptionsException">An option is out of range.</exception>
    public static JetstreamNatsEvents Consume(INatsConnection connection, JetstreamNatsConsumerOptions options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new JetstreamNatsEvents(connection, options);
    }
}
