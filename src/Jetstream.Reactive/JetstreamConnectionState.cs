namespace Jetstream.Reactive;

/// <summary>
/// A change of a stream's connection, reported to <see cref="JetstreamOptions.ConnectionStates"/>: the public seam for
/// health checks and dashboards, instead of reading the connection logs.
/// </summary>
/// <param name="Status">Where the connection stands.</param>
/// <param name="Endpoint">The host, as logs show it (no query string).</param>
/// <param name="Attempt">
/// <see cref="JetstreamConnectionStatus.Connecting"/>: the attempt's number since the subscription (1 for the first);
/// <see cref="JetstreamConnectionStatus.Reconnecting"/>: the retry's number since the last progress (1 for the first
/// retry); otherwise 0.
/// </param>
/// <param name="Cursor">The cursor the attempt connects (or connected) with; <see langword="null"/> for the live tail or when not known.</param>
/// <param name="Error">The error that ended the last connection (<see cref="JetstreamConnectionStatus.Reconnecting"/>, <see cref="JetstreamConnectionStatus.Stopped"/>); otherwise <see langword="null"/>.</param>
/// <param name="Delay">The wait before the next attempt (<see cref="JetstreamConnectionStatus.Reconnecting"/>); otherwise <see cref="TimeSpan.Zero"/>.</param>
public sealed record JetstreamConnectionState(
    JetstreamConnectionStatus Status,
    string Endpoint,
    int Attempt,
    long? Cursor,
    Exception? Error,
    TimeSpan Delay);
