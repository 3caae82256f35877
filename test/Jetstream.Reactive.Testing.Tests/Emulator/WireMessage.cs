using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>One whole message as a <see cref="WireClient"/> received it; a close frame has its status and reason.</summary>
internal sealed record WireMessage(WebSocketMessageType Type, byte[] Bytes, WebSocketCloseStatus? CloseStatus, string? CloseReason)
{
    public string Text => Encoding.UTF8.GetString(Bytes);

    public JsonNode Json => WireClient.ParseStrict(Bytes);

    public override string ToString() =>
        Type == WebSocketMessageType.Close ? $"close {(int?)CloseStatus} '{CloseReason}'" : $"{Type} frame of {Bytes.Length} bytes";
}
