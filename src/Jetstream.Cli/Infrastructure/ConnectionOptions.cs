using System.CommandLine;
using System.Text.RegularExpressions;
using Jetstream.Reactive;

namespace Jetstream.Cli.Infrastructure;

/// <summary>
/// The options every streaming command shares (<c>tail</c>, <c>stats</c>, <c>record</c>), and their translation into
/// <see cref="JetstreamOptions"/>. Every mistake becomes one <see cref="UsageException"/> line that names the option.
/// </summary>
internal sealed partial class ConnectionOptions
{
    public Option<string[]> Endpoint { get; } = new("--endpoint", "-e")
    {
        Description = "The server, a ws:// or wss:// URL. Repeat it for a failover list, in order of preference. Default: the public host of the protocol.",
        HelpName = "url",
    };

    public Option<string> Protocol { get; } = new("--protocol")
    {
        Description = "The wire protocol: v1 (/subscribe, every public host) or v2 (subscribeEvents, newer hosts).",
        HelpName = "v1|v2",
        DefaultValueFactory = _ => "v1",
    };

    public Option<string[]> Collection { get; } = new("--collection", "-c")
    {
        Description = "Only commits to this collection: an NSID (app.bsky.feed.post) or a prefix (app.bsky.graph.*). Repeatable.",
        HelpName = "nsid",
    };

    public Option<string[]> Did { get; } = new("--did", "-d")
    {
        Description = "Only events of this repository (did:plc:…, did:web:…). Repeatable; @file reads DIDs one per line.",
        HelpName = "did|@file",
    };

    public Option<string[]> Kind { get; } = new("--kind", "-k")
    {
        Description = "Only events of this kind: commit, identity, account or sync. Repeatable. Sent to the server on v2, filtered here on v1.",
        HelpName = "kind",
    };

    public Option<string> Cursor { get; } = new("--cursor")
    {
        Description = "Where to start: a cursor from an earlier run, a UTC time (2026-07-04T14:00:00Z) or a duration ago (10m). Default: live.",
        HelpName = "cursor",
    };

    public Option<bool> Compress { get; } = new("--compress")
    {
        Description = "Ask the server for zstd-compressed frames (about a third of the bytes).",
    };

    public Option<string> Overflow { get; } = new("--overflow")
    {
        Description = "When this tool falls behind the stream: resume (close, then resume from the cursor: nothing lost while the server keeps the events) or drop (drop and count incoming events).",
        HelpName = "resume|drop",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Log the connection's lifecycle (connects, reconnects, drops) to standard error.",
    };

    public void AddTo(Command command)
    {
        command.Add(Endpoint);
        command.Add(Protocol);
        command.Add(Collection);
        command.Add(Did);
        command.Add(Kind);
        command.Add(Cursor);
        command.Add(Compress);
        command.Add(Overflow);
        command.Add(Verbose);
    }

    /// <summary>Reads and checks the options.</summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="now">The current time, for cursors given as a duration ago.</param>
    /// <returns>The validated client options and the kinds to keep on this side (v1 has no server-side kind filter).</returns>
    /// <exception cref="UsageException">A value is wrong.</exception>
    /// <param name="defaultOverflow">The overflow when <c>--overflow</c> is not given.</param>
    public Settings Read(ParseResult parse, DateTimeOffset now, JetstreamOverflow defaultOverflow = JetstreamOverflow.ResumeFromCursor)
    {
        var protocol = ValueParsers.OneOf("--protocol", parse.GetValue(Protocol) ?? "v1", "v1", "v2") == "v2" ? JetstreamProtocol.V2 : JetstreamProtocol.V1;

        var endpoints = new List<Uri>();
        foreach (var text in parse.GetValue(Endpoint) ?? [])
        {
            if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.IsFile)
            {
                throw UsageException.For("--endpoint", text, $"it must be a ws:// or wss:// URL such as {JetstreamOptions.DefaultEndpoint.ToString().TrimEnd('/')}.");
            }

            endpoints.Add(uri);
        }

        var kinds = new List<JetstreamEventKind>();
        foreach (var text in parse.GetValue(Kind) ?? [])
        {
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kind = ValueParsers.OneOf("--kind", part, "commit", "identity", "account", "sync") switch
                {
                    "commit" => JetstreamEventKind.Commit,
                    "identity" => JetstreamEventKind.Identity,
                    "account" => JetstreamEventKind.Account,
                    _ => JetstreamEventKind.Sync,
                };
                if (!kinds.Contains(kind))
                {
                    kinds.Add(kind);
                }
            }
        }

        var collections = (parse.GetValue(Collection) ?? []).ToList();
        if (collections.Count > 0 && kinds.Count > 0 && !kinds.Contains(JetstreamEventKind.Commit))
        {
            throw UsageException.For("--kind", string.Join(",", kinds).ToLowerInvariant(), "it must include commit when --collection is given, because collections filter commits only.");
        }

        var overflow = parse.GetValue(Overflow) is { } overflowText
            ? ValueParsers.OneOf("--overflow", overflowText, "resume", "drop") == "drop" ? JetstreamOverflow.DropIncoming : JetstreamOverflow.ResumeFromCursor
            : defaultOverflow;

        long? cursor = parse.GetValue(Cursor) is { } cursorText ? ValueParsers.Cursor("--cursor", cursorText, now) : null;

        var options = new JetstreamOptions
        {
            Protocol = protocol,
            WantedCollections = collections,
            WantedDids = ReadDids(parse.GetValue(Did) ?? []),
            Kinds = protocol == JetstreamProtocol.V2 ? kinds : [],
            Cursor = cursor,
            Compression = parse.GetValue(Compress) ? JetstreamCompression.Zstd : JetstreamCompression.None,
            Overflow = overflow,
        };
        if (endpoints.Count == 1)
        {
            options = options with { Endpoint = endpoints[0] };
        }
        else if (endpoints.Count > 1)
        {
            options = options with { Endpoints = endpoints };
        }

        try
        {
            options.Validate();
        }
        catch (JetstreamOptionsException e)
        {
            throw new UsageException(ToCommandLine(e), e);
        }

        return new Settings(options, kinds, parse.GetValue(Verbose));
    }

    /// <summary>Names a <see cref="JetstreamOptions"/> validation error by its command-line flag, from the error's path.</summary>
    internal static string ToCommandLine(JetstreamOptionsException e)
    {
        if (e.OptionErrors is not [var error, ..])
        {
            return e.Errors[0];
        }

        var option = error.Path.Split('[', '.')[0] switch
        {
            "Endpoint" or "Endpoints" => "--endpoint",
            "WantedCollections" => "--collection",
            "WantedDids" => "--did",
            "Kinds" => "--kind",
            "Cursor" => "--cursor",
            "Compression" => "--compress",
            "Protocol" => "--protocol",
            _ => null,
        };
        if (option is null)
        {
            return error.Message;
        }

        // The problem speaks of the options' names; say them as flags.
        return SameServer().Replace(error.NameAs(option), ", given twice;")
            .Replace("Protocol = JetstreamProtocol.V2", "--protocol v2", StringComparison.Ordinal)
            .Replace("protocol V2", "--protocol v2", StringComparison.Ordinal)
            .Replace("Protocol V2", "--protocol v2", StringComparison.Ordinal)
            .Replace("Protocol V1", "--protocol v1", StringComparison.Ordinal);
    }

    private static List<string> ReadDids(string[] values)
    {
        var dids = new List<string>();
        foreach (var value in values)
        {
            if (!value.StartsWith('@'))
            {
                dids.Add(value.Trim());
                continue;
            }

            var path = value[1..];
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw UsageException.For("--did", value, $"the file could not be read ({e.Message.TrimEnd('.')}); @file must name a readable file with one DID per line.");
            }

            dids.AddRange(lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
        }

        return dids;
    }

    [GeneratedRegex(@", the same server as Endpoints\[\d+\];")]
    private static partial Regex SameServer();

    /// <summary>The result of <see cref="Read"/>.</summary>
    /// <param name="Options">The client options, validated.</param>
    /// <param name="Kinds">The kinds asked for (empty for all); on v1 they are filtered on this side.</param>
    /// <param name="Verbose">Whether to log the connection to standard error.</param>
    internal sealed record Settings(JetstreamOptions Options, IReadOnlyList<JetstreamEventKind> Kinds, bool Verbose)
    {
        /// <summary>Whether <paramref name="e"/> passes the kind filter.</summary>
        public bool Wants(JetstreamEvent e) => Kinds.Count == 0 || Kinds.Contains(e.Kind);
    }
}
