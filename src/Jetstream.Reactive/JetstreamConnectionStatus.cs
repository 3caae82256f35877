namespace Jetstream.Reactive;

/// <summary>Where a stream's connection stands, in <see cref="JetstreamConnectionState"/>.</summary>
public enum JetstreamConnectionStatus
{
    /// <summary>An attempt is connecting (the first, or a reconnect after its delay).</summary>
    Connecting,

    /// <summary>The connection is open.</summary>
    Connected,

    /// <summary>The connection was lost with a retryable error; the next attempt starts after the delay.</summary>
    Reconnecting,

    /// <summary>The stream ended with an error that retrying cannot fix (<see cref="JetstreamConnectionState.Error"/>); <c>OnError</c> follows.</summary>
    Stopped,
}
