using System.Net.WebSockets;

namespace Jetstream.Reactive.Connection;

/// <summary>Decodes and delivers one message the reader received, in order (the decode stage's consumer step).</summary>
/// <param name="bytes">The message as received (text, or a zstd frame when binary).</param>
/// <param name="type">Text or binary.</param>
/// <param name="totalBytes">The bytes received for the message.</param>
/// <param name="receivedAt">The scheduler's clock, in ticks, when the reader finished receiving it.</param>
/// <returns>False when the connection must end at this message (the handler has recorded why).</returns>
internal delegate bool ReceivedMessageHandler(ReadOnlySpan<byte> bytes, WebSocketMessageType type, long totalBytes, long receivedAt);
