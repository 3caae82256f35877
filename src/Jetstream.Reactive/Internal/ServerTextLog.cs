using System.Reactive.Concurrency;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// Logs text a server controls (notices, unknown kind and type names): cleaned and cut to <see cref="MaxLength"/>
/// (<see cref="JetstreamText.Printable"/>), and rate-limited: the same notice is logged once per
/// <see cref="Window"/>, and the next time it is logged after a window the count of repeats in between is logged first.
/// Without this, a server repeating a notice in every frame writes a log line per frame.
/// </summary>
internal sealed class ServerTextLog
{
    /// <summary>The most characters of server text in one log value.</summary>
    public const int MaxLength = 256;

    /// <summary>How many distinct notices are tracked; further ones share one slot, so a hostile server cannot grow this.</summary>
    public const int MaxKeys = 64;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private const string Other = "(other)";

    private static readonly ConditionalWeakTable<ILogger, ServerTextLog> Limiters = new();

    private readonly Dictionary<(string Notice, string Key), Episode> _episodes = [];
    private readonly ILogger _logger;

    private ServerTextLog(ILogger logger) => _logger = logger;

    /// <summary>Server text made safe for a log line: one line, controls shown visibly, at most <see cref="MaxLength"/> characters.</summary>
    public static string Clean(string? text) => JetstreamText.Printable(text, MaxLength);

    /// <summary>Logs a v2 <c>#info</c> notice, cleaned and rate-limited per notice name.</summary>
    public static void ServerInfo(ILogger logger, IScheduler scheduler, string endpoint, string? name, string? message)
    {
        var key = Clean(name);
        if (Of(logger).ShouldLog("notice", key, LogLevel.Warning, scheduler))
        {
            logger.ServerInfo(endpoint, key, Clean(message));
        }
    }

    /// <summary>Logs a skipped event of unknown kind (v1) or <c>$type</c> (v2), cleaned and rate-limited per name.</summary>
    public static void Unknown(ILogger logger, IScheduler scheduler, string kind, bool isType)
    {
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var key = Clean(kind);
        if (Of(logger).ShouldLog(isType ? "unknown $type" : "unknown kind", key, LogLevel.Debug, scheduler))
        {
            if (isType)
            {
                logger.UnknownType(key);
            }
            else
            {
                logger.UnknownKind(key);
            }
        }
    }

    private static ServerTextLog Of(ILogger logger) => Limiters.GetValue(logger, l => new ServerTextLog(l));

    private bool ShouldLog(string notice, string key, LogLevel level, IScheduler scheduler)
    {
        var now = scheduler.Now;
        long repeats;
        lock (_episodes)
        {
            if (!_episodes.ContainsKey((notice, key)) && _episodes.Count >= MaxKeys)
            {
                key = Other;
            }

            if (_episodes.TryGetValue((notice, key), out var episode) && now - episode.Started < Window)
            {
                episode.Repeats++;
                return false;
            }

            repeats = episode?.Repeats ?? 0;
            _episodes[(notice, key)] = new Episode(now);
        }

        if (repeats > 0)
        {
            _logger.ServerTextRepeated(level, notice, key, repeats, Window.TotalSeconds);
        }

        return true;
    }

    private sealed class Episode(DateTimeOffset started)
    {
        public DateTimeOffset Started { get; } = started;

        public long Repeats { get; set; }
    }
}
