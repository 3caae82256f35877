using System.Net.WebSockets;

namespace Jetstream.Reactive.Transport;

/// <summary>One message read by <see cref="MessageAssembler"/>.</summary>
/// <param name="Type">Text, binary, or close.</param>
/// <param name="Length">The bytes kept in the assembler's buffer (0 when too large).</param>
/// <param name="TotalBytes">The bytes received for the message, kept or not.</param>
/// <param name="TooLarge">Whether the message went over the size limit (its bytes were read and thrown away).</param>
internal readonly record struct AssembledMessage(WebSocketMessageType Type, int Length, long TotalBytes, bool TooLarge);
