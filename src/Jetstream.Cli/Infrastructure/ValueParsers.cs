using System.Globalization;

namespace Jetstream.Cli.Infrastructure;

/// <summary>Parses option values; each failure is a <see cref="UsageException"/> naming the option, value and what is allowed.</summary>
internal static class ValueParsers
{
    /// <summary>
    /// A cursor: a number (unix microseconds, or a server sequence number), a UTC time such as
    /// <c>2026-07-04T14:00:00Z</c> (converted to unix microseconds), or a duration ago such as <c>10m</c>.
    /// </summary>
    public static long Cursor(string option, string value, DateTimeOffset now)
    {
        const string Allowed = "it must be a number of 0 or more (unix microseconds or a server sequence number), a UTC time such as 2026-07-04T14:00:00Z, or a duration ago such as 90s, 10m or 2h.";
        var text = value.Trim();
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw UsageException.For(option, value, Allowed);
        }

        if (TryDuration(text, out var ago))
        {
            var at = now - ago;
            return at < DateTimeOffset.UnixEpoch ? throw UsageException.For(option, value, Allowed) : ToUnixMicroseconds(at);
        }

        if (text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            && time >= DateTimeOffset.UnixEpoch)
        {
            return ToUnixMicroseconds(time);
        }

        throw UsageException.For(option, value, Allowed);
    }

    /// <summary>A duration: a number with a unit (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>), more than zero.</summary>
    public static TimeSpan Duration(string option, string value)
    {
        if (TryDuration(value.Trim(), out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        throw UsageException.For(option, value, "it must be a duration above zero with a unit, such as 500ms, 30s, 5m, 2h or 1d.");
    }

    /// <summary>A whole number between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static long Number(string option, string value, long min, long max)
    {
        if (long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        if (max == long.MaxValue)
        {
            throw UsageException.For(option, value, $"it must be a whole number of {min.ToString("N0", CultureInfo.InvariantCulture)} or more.");
        }

        throw UsageException.For(option, value, $"it must be a whole number from {min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)}.");
    }

    /// <summary>A rate in events per second: a number from 0.001 to 10,000,000.</summary>
    public static double Rate(string option, string value)
    {
        if (double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate >= 0.001 && rate <= 10_000_000)
        {
            return rate;
        }

        throw UsageException.For(option, value, "it must be a number of events per second from 0.001 to 10,000,000.");
    }

    /// <summary>One of <paramref name="allowed"/>, case-insensitive; returns it in lower case.</summary>
    public static string OneOf(string option, string value, params string[] allowed)
    {
        var lower = value.Trim().ToLowerInvariant();
        if (allowed.Contains(lower, StringComparer.Ordinal))
        {
            return lower;
        }

        var list = allowed.Length == 2 ? $"{allowed[0]} or {allowed[1]}" : string.Join(", ", allowed[..^1]) + " or " + allowed[^1];
        throw UsageException.For(option, value, $"it must be {list}.");
    }

    public static long ToUnixMicroseconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks / 10;

    private static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = default;
        (string Suffix, double Ticks)[] units =
        [
            ("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute),
            ("h", TimeSpan.TicksPerHour), ("d", TimeSpan.TicksPerDay),
        ];
        foreach (var (suffix, ticks) in units)
        {
            if (text.Length > suffix.Length
                && text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
                && amount * ticks < TimeSpan.MaxValue.Ticks / 2)
            {
                duration = TimeSpan.FromTicks((long)(amount * ticks));
                return true;
            }
        }

        return false;
    }
}
