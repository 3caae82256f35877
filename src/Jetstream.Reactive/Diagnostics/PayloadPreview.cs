using System.Text;

namespace Jetstream.Reactive.Diagnostics;

/// <summary>
/// The first bytes of a frame for a Debug log line: hex for binary, text with control characters replaced for text, so
/// that network bytes cannot forge log lines or drive a terminal.
/// </summary>
internal static class PayloadPreview
{
    private const int LogPrefixBytes = 64;

    public static string Hex(ReadOnlySpan<byte> bytes) =>
        Convert.ToHexString(bytes[..Math.Min(bytes.Length, LogPrefixBytes / 2)]) + (bytes.Length > LogPrefixBytes / 2 ? "…" : "");

    public static string Text(ReadOnlySpan<byte> bytes)
    {
        var cut = bytes[..Math.Min(bytes.Length, LogPrefixBytes)];
        var text = Encoding.UTF8.GetString(cut);
        var sb = new StringBuilder(text.Length + 1);
        foreach (var c in text)
        {
            sb.Append(char.IsControl(c) ? '\uFFFD' : c);
        }

        return bytes.Length > LogPrefixBytes ? sb.Append('…').ToString() : sb.ToString();
    }
}
