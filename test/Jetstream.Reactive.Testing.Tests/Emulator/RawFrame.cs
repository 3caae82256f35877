namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>One WebSocket frame as it came off the wire.</summary>
internal sealed record RawFrame(bool Fin, int Opcode, byte[] Payload)
{
    public const int Text = 0x1;
    public const int Binary = 0x2;
    public const int Close = 0x8;
}
