using System.CommandLine;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive;
using NUnit.Framework;

namespace Jetstream.Cli.Tests;

/// <summary>Command-line parsing and validation: every mistake is one line naming the option, the value and what is allowed, exit 2.</summary>
[CancelAfter(10_000)]
public sealed class ParsingTests
{
    [TestCase(new[] { "tail", "--collection", "app..post" }, "--collection is 'app..post'", "full NSID")]
    [TestCase(new[] { "tail", "-c", "*" }, "--collection is '*'", "full NSID")]
    [TestCase(new[] { "tail", "--protocol", "v2", "-c", "app.*" }, "--collection is 'app.*'", "at least two segments")]
    [TestCase(new[] { "tail", "--did", "did:foo" }, "--did is 'did:foo'", "must be a DID")]
    [TestCase(new[] { "tail", "--cursor", "yesterday" }, "--cursor is 'yesterday'", "unix microseconds")]
    [TestCase(new[] { "tail", "--cursor", "-5" }, "--cursor is '-5'", "0 or more")]
    [TestCase(new[] { "tail", "--endpoint", "not a url" }, "--endpoint is 'not a url'", "ws:// or wss:// URL")]
    [TestCase(new[] { "tail", "--endpoint", "https://jetstream.example" }, "--endpoint is 'https://jetstream.example/'", "only ws and wss")]
    [TestCase(new[] { "tail", "--endpoint", "wss://jetstream.example/subscribe?cursor=1" }, "--endpoint is 'wss://jetstream.example/subscribe?cursor=1'", "must not have a query")]
    [TestCase(new[] { "tail", "-e", "wss://a.example", "-e", "wss://a.example" }, "--endpoint is 'wss://a.example/', given twice", "once")]
    [TestCase(new[] { "tail", "--protocol", "v3" }, "--protocol is 'v3'", "v1 or v2")]
    [TestCase(new[] { "tail", "--kind", "post" }, "--kind is 'post'", "commit, identity, account or sync")]
    [TestCase(new[] { "tail", "--kind", "identity", "-c", "app.bsky.feed.post" }, "--kind is 'identity'", "include commit")]
    [TestCase(new[] { "tail", "--overflow", "block" }, "--overflow is 'block'", "resume or drop")]
    [TestCase(new[] { "tail", "--format", "xml" }, "--format is 'xml'", "json or text")]
    [TestCase(new[] { "tail", "--limit", "0" }, "--limit is '0'", "1 or more")]
    [TestCase(new[] { "stats", "--duration", "10" }, "--duration is '10'", "with a unit")]
    [TestCase(new[] { "record", "out.jsonl", "--cursor", "abc" }, "--cursor is 'abc'", "unix microseconds")]
    [TestCase(new[] { "serve", "missing.jsonl" }, "<file> is 'missing.jsonl'", "existing recording")]
    [TestCase(new[] { "demo", "--rate", "0" }, "--rate is '0'", "events per second")]
    public async Task RunAsync_BadValue_OneLineNamingOptionValueAndAllowedExit2(string[] args, string named, string allowed, CancellationToken token)
    {
        var result = await Cli.RunAsync(token, args);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.Error);
        Assert.That(result.ErrorLines[0], Does.StartWith("jetstream: " + named));
        Assert.That(result.ErrorLines[0], Does.Contain(allowed));
        Assert.That(result.Error, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(result.Output, Is.Empty);
    }

    [TestCase("tail", "--bogus")]
    [TestCase("record")]
    [TestCase("frobnicate")]
    public async Task RunAsync_ParseError_OneLinePointingAtHelpExit2(params string[] args)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var result = await Cli.RunAsync(cancel.Token, args);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.Error);
        Assert.That(result.ErrorLines[0], Does.StartWith("jetstream: ").And.EndWith("--help')"));
    }

    [Test]
    public async Task RunAsync_NoCommand_SuggestsDemoExit2(CancellationToken token)
    {
        var result = await Cli.RunAsync(token);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines.Single(), Does.Contain("jetstream demo"));
    }

    [Test]
    public async Task RunAsync_Help_ListsEveryCommandExit0(CancellationToken token)
    {
        var result = await Cli.RunAsync(token, "--help");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success));
        Assert.That(result.Output, Does.Contain("tail").And.Contain("stats").And.Contain("record").And.Contain("serve").And.Contain("demo"));
    }

    [Test]
    public async Task RunAsync_TailHelp_ListsTheOptionsExit0(CancellationToken token)
    {
        var result = await Cli.RunAsync(token, "tail", "--help");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success));
        foreach (var option in new[] { "--collection", "--did", "--kind", "--cursor", "--cursor-file", "--protocol", "--endpoint", "--compress", "--format" })
        {
            Assert.That(result.Output, Does.Contain(option));
        }
    }

    [Test]
    public async Task RunAsync_DidFileWithABadLine_NamesTheLineExit2(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var file = folder.File("dids.txt");
        await File.WriteAllLinesAsync(file, ["# followed accounts", "did:plc:q6gjnaw2blty4crticxkmujt", "", "alice.bsky.social"], token);

        var result = await Cli.RunAsync(token, "tail", "--did", "@" + file);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines.Single(), Does.StartWith("jetstream: --did is 'alice.bsky.social'; each value must be a DID"));
    }

    [Test]
    public async Task RunAsync_DidFileMissing_NamesTheFileExit2(CancellationToken token)
    {
        var result = await Cli.RunAsync(token, "tail", "--did", "@no-such-dids.txt");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines.Single(), Does.StartWith("jetstream: --did is '@no-such-dids.txt'; the file could not be read"));
    }

    [Test]
    public async Task RunAsync_CursorFileInMissingFolder_Exit2(CancellationToken token)
    {
        var result = await Cli.RunAsync(token, "tail", "--cursor-file", Path.Combine("no-such-folder", "cursor.json"));

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines.Single(), Does.StartWith("jetstream: --cursor-file is"));
    }

    [Test]
    public void Read_EveryOption_MapsToJetstreamOptions()
    {
        using var folder = Cli.TempFolder();
        var dids = folder.File("dids.txt");
        File.WriteAllLines(dids, ["did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "did:web:example.com"]);
        var (options, parse) = Parse(
            "--endpoint", "wss://one.example", "--endpoint", "wss://two.example", "--protocol", "V2",
            "-c", "app.bsky.feed.post", "-c", "app.bsky.graph.*", "--did", "did:plc:q6gjnaw2blty4crticxkmujt", "--did", "@" + dids,
            "--kind", "commit,identity", "--cursor", "1234", "--compress", "--overflow", "drop");

        var settings = options.Read(parse, DateTimeOffset.UnixEpoch);

        var o = settings.Options;
        Assert.That(o.Endpoints, Is.EqualTo(new[] { new Uri("wss://one.example"), new Uri("wss://two.example") }));
        Assert.That(o.Protocol, Is.EqualTo(JetstreamProtocol.V2));
        Assert.That(o.WantedCollections, Is.EqualTo(new[] { "app.bsky.feed.post", "app.bsky.graph.*" }));
        Assert.That(o.WantedDids, Is.EqualTo(new[] { "did:plc:q6gjnaw2blty4crticxkmujt", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "did:web:example.com" }));
        Assert.That(o.Kinds, Is.EqualTo(new[] { JetstreamEventKind.Commit, JetstreamEventKind.Identity }));
        Assert.That(o.Cursor, Is.EqualTo(1234));
        Assert.That(o.Compression, Is.EqualTo(JetstreamCompression.Zstd));
        Assert.That(o.Overflow, Is.EqualTo(JetstreamOverflow.DropIncoming));
    }

    [Test]
    public void Read_KindOnV1_NotSentButFilteredHere()
    {
        var (options, parse) = Parse("--kind", "identity", "--endpoint", "ws://127.0.0.1:1");

        var settings = options.Read(parse, DateTimeOffset.UnixEpoch);

        Assert.That(settings.Options.Kinds, Is.Empty, "v1 has no kinds parameter");
        Assert.That(settings.Options.Overflow, Is.EqualTo(JetstreamOverflow.ResumeFromCursor), "nothing lost by default");
        Assert.That(settings.Options.Endpoint, Is.EqualTo(new Uri("ws://127.0.0.1:1")));
        Assert.That(settings.Wants(new IdentityEvent("did:plc:q6gjnaw2blty4crticxkmujt", 1, 1, DateTimeOffset.UnixEpoch, null)), Is.True);
        Assert.That(settings.Wants(new AccountEvent("did:plc:q6gjnaw2blty4crticxkmujt", 1, true, null, 1, DateTimeOffset.UnixEpoch)), Is.False);
    }

    [TestCase("0", 0L)]
    [TestCase("1725911162329308", 1725911162329308L)]
    [TestCase("2026-07-04T14:00:00Z", 1783173600000000L)]
    [TestCase("2026-07-04T16:00:00+02:00", 1783173600000000L)]
    [TestCase("10m", 1783173000000000L)]
    [TestCase("1.5h", 1783168200000000L)]
    public void Cursor_AcceptedForms_UnixMicroseconds(string text, long expected)
    {
        var now = new DateTimeOffset(2026, 7, 4, 14, 0, 0, TimeSpan.Zero);

        Assert.That(ValueParsers.Cursor("--cursor", text, now), Is.EqualTo(expected));
    }

    [TestCase("500ms", 500)]
    [TestCase("30s", 30_000)]
    [TestCase("2m", 120_000)]
    [TestCase("1h", 3_600_000)]
    public void Duration_WithUnit_Parsed(string text, int milliseconds)
    {
        Assert.That(ValueParsers.Duration("--duration", text), Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    private static (ConnectionOptions Options, ParseResult Parse) Parse(params string[] args)
    {
        var options = new ConnectionOptions();
        var command = new RootCommand();
        options.AddTo(command);
        var parse = command.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        Assert.That(parse.Errors, Is.Empty);
        return (options, parse);
    }
}
