using System.Globalization;
using System.Text;
using System.Text.Json;
using Jetstream.Reactive;

namespace Jetstream.Cli.Output;

/// <summary>
/// One compact human line per event, for <c>tail</c> on a terminal: the time (UTC), what happened, to which record, and
/// a glimpse of the record (a post's text, a like's subject).
/// </summary>
internal static class EventText
{
    private const int MaxText = 100;
    private const int MaxField = 300;

    public static string Format(JetstreamEvent e)
    {
        var time = SafeTime(e);
        return e switch
        {
            CommitEvent c => $"{time} {Operation(c.Commit.Operation),-6} {P(c.Commit.Collection)} {P(c.Did)}/{P(c.Commit.RKey)}{Glimpse(c.Commit)}",
            IdentityEvent i => $"{time} identity {P(i.Did)} handle={(i.Handle is null ? "(none)" : P(i.Handle))}",
            AccountEvent a => $"{time} account {P(a.Did)} active={(a.Active ? "true" : "false")}{(a.Status is null ? "" : " status=" + P(a.Status))}",
            SyncEvent s => $"{time} sync {P(s.Did)} rev={P(s.Rev)}",
            _ => $"{time} {e.Kind.ToString().ToLowerInvariant()} {P(e.Did)}",
        };
    }

    /// <summary>Every string from the network goes through this before the terminal (escapes, bidi overrides, line breaks).</summary>
    private static string P(string? text) => JetstreamText.Printable(text, MaxField);

    private static string SafeTime(JetstreamEvent e)
    {
        try
        {
            return e.Timestamp.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        }
        catch (ArgumentOutOfRangeException)
        {
            return e.TimeUs.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string Operation(CommitOperation operation) => operation switch
    {
        CommitOperation.Create => "create",
        CommitOperation.Update => "update",
        _ => "delete",
    };

    private static string Glimpse(JetstreamCommit commit)
    {
        if (!commit.HasRecord)
        {
            return string.Empty;
        }

        try
        {
            if (commit.Record is not { ValueKind: JsonValueKind.Object } record)
            {
                return string.Empty;
            }

            if (record.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                return " \"" + Shorten(text.GetString() ?? string.Empty) + "\"";
            }

            if (record.TryGetProperty("subject", out var subject))
            {
                if (subject.ValueKind == JsonValueKind.String)
                {
                    return " -> " + Shorten(subject.GetString() ?? string.Empty);
                }

                if (subject.ValueKind == JsonValueKind.Object && subject.TryGetProperty("uri", out var uri) && uri.ValueKind == JsonValueKind.String)
                {
                    return " -> " + Shorten(uri.GetString() ?? string.Empty);
                }
            }

            if (record.TryGetProperty("displayName", out var name) && name.ValueKind == JsonValueKind.String)
            {
                return " name=\"" + Shorten(name.GetString() ?? string.Empty) + "\"";
            }
        }
        catch (JsonException)
        {
            // A record that is not valid JSON is shown without a glimpse.
        }
        catch (InvalidOperationException)
        {
            // Valid JSON that is no .NET string (a lone surrogate escape such as "\udc00"): no glimpse, and tail goes on.
        }

        return string.Empty;
    }

    private static string Shorten(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxText + 1));
        foreach (var rune in text.EnumerateRunes())
        {
            if (builder.Length >= MaxText)
            {
                builder.Append('…');
                break;
            }

            builder.Append(Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) ? " " : rune.ToString());
        }

        // Whitespace became spaces above; what is left to neutralise (bidi overrides, C1 controls) is shown visibly.
        return JetstreamText.Printable(builder.ToString());
    }
}
