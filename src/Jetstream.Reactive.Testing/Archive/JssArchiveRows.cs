using System.Text.Json;

namespace Jetstream.Reactive.Testing.Archive;

/// <summary>Builds archive rows from v1 event JSON (what <see cref="TestEvents"/> and the bundled real events hold).</summary>
public static class JssArchiveRows
{
    /// <summary>The row a server would store for a v1 event.</summary>
    /// <param name="json">A v1 event: <c>{"did", "time_us", "kind", "commit" | "identity" | "account"}</c>.</param>
    /// <param name="seq">The seq to give it.</param>
    /// <param name="witnessedAt">Its witnessed time, unix microseconds.</param>
    /// <returns>The row: the record or marker body as DAG-CBOR.</returns>
    /// <exception cref="FormatException">The event is not a v1 event, or its record is outside the atproto data model.</exception>
    public static JssArchiveRow FromEventJson(ReadOnlySpan<byte> json, long seq, long witnessedAt)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        var did = root.GetProperty("did").GetString() ?? throw new FormatException("The event has no did.");
        var kind = root.GetProperty("kind").GetString();
        switch (kind)
        {
            case "commit":
            {
                var commit = root.GetProperty("commit");
                var operation = commit.GetProperty("operation").GetString();
                byte kindByte = operation switch
                {
                    "create" => 1,
                    "update" => 2,
                    "delete" => 3,
                    _ => throw new FormatException($"Unknown commit operation '{operation}'."),
                };
                var payload = kindByte == 3 ? [] : DagCborEncoder.Encode(commit.GetProperty("record"));
                return new JssArchiveRow(
                    seq,
                    witnessedAt,
                    0,
                    kindByte,
                    did,
                    commit.GetProperty("collection").GetString()!,
                    commit.GetProperty("rkey").GetString()!,
                    commit.TryGetProperty("rev", out var rev) ? rev.GetString() ?? string.Empty : string.Empty,
                    payload);
            }

            case "identity" or "account":
                return new JssArchiveRow(seq, witnessedAt, 0, kind == "identity" ? (byte)4 : (byte)5, did, string.Empty, string.Empty, string.Empty, DagCborEncoder.Encode(root.GetProperty(kind)));
            default:
                throw new FormatException($"Unknown event kind '{kind}'.");
        }
    }
}
