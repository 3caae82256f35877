using System.Net.WebSockets;
using System.Text.Json;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Cli.Tests;

/// <summary><c>jetstream tail</c> end to end against the emulator on 127.0.0.1.</summary>
[CancelAfter(20_000)]
public sealed class TailTests
{
    private const string Alice = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Bob = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";

    private static readonly string[] Events =
    [
        TestEvents.Post("hello from the emulator", rkey: "3mmoojp4cd221", did: Alice),
        TestEvents.Identity(did: Bob, handle: "bob.example.com"),
        TestEvents.Like(rkey: "3mmoojp4cd222", did: Bob),
        TestEvents.Account(did: Alice, active: false, status: "deactivated"),
        TestEvents.Commit("app.bsky.graph.follow", rkey: "3mmoojp4cd223", operation: Reactive.CommitOperation.Delete, did: Alice),
    ];

    private static Task<JetstreamTestServer> ServerAsync(CancellationToken token, FaultPlan? faults = null) =>
        JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events), Faults = faults ?? new FaultPlan() }, token);

    [Test]
    public async Task Tail_JsonFormat_OneV1ObjectPerLineWithTheRecordAsSent(CancellationToken token)
    {
        await using var server = await ServerAsync(token);

        var result = await Cli.RunAsync(token, "tail", "--endpoint", server.Uri.ToString(), "--limit", "5");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.Error, Is.Empty);
        var lines = result.OutputLines;
        Assert.That(lines, Has.Length.EqualTo(5));
        using var post = JsonDocument.Parse(lines[0]);
        var root = post.RootElement;
        Assert.That(root.GetProperty("did").GetString(), Is.EqualTo(Alice));
        Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo("commit"));
        Assert.That(root.GetProperty("cursor").GetInt64(), Is.EqualTo(1), "the server's sequence number");
        Assert.That(root.GetProperty("time_us").GetInt64(), Is.GreaterThan(0));
        var commit = root.GetProperty("commit");
        Assert.That(commit.GetProperty("operation").GetString(), Is.EqualTo("create"));
        Assert.That(commit.GetProperty("collection").GetString(), Is.EqualTo("app.bsky.feed.post"));
        Assert.That(commit.GetProperty("record").GetProperty("text").GetString(), Is.EqualTo("hello from the emulator"));
        Assert.That(commit.GetProperty("record").GetRawText(), Is.EqualTo(RecordOf(Events[0])), "the record byte for byte");
        Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString()), Is.EqualTo(new[] { "commit", "identity", "commit", "account", "commit" }));
        Assert.That(lines[1], Does.Contain("\"handle\":\"bob.example.com\""));
        Assert.That(lines[3], Does.Contain("\"active\":false").And.Contain("\"status\":\"deactivated\""));
        Assert.That(lines[4], Does.Not.Contain("\"record\""), "a delete has no record");
    }

    [Test]
    public async Task Tail_TextFormat_OneCompactLinePerEvent(CancellationToken token)
    {
        await using var server = await ServerAsync(token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "-n", "5", "--format", "text");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        var lines = result.OutputLines;
        Assert.That(lines, Has.Length.EqualTo(5));
        Assert.That(lines[0], Does.Match(@"^\d\d:\d\d:\d\d\.\d{3} create app\.bsky\.feed\.post did:plc:a{24}/3mmoojp4cd221 ""hello from the emulator""$"));
        Assert.That(lines[1], Does.EndWith($"identity {Bob} handle=bob.example.com"));
        Assert.That(lines[2], Does.Contain($"create app.bsky.feed.like {Bob}/3mmoojp4cd222 -> at://"));
        Assert.That(lines[3], Does.EndWith($"account {Alice} active=false status=deactivated"));
        Assert.That(lines[4], Does.EndWith($"delete app.bsky.graph.follow {Alice}/3mmoojp4cd223"));
    }

    [Test]
    public async Task Tail_Filters_SentToTheServerAndKindFilteredHereOnV1(CancellationToken token)
    {
        await using var server = await ServerAsync(token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "--did", Alice, "--kind", "commit", "-n", "2");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("cursor").GetInt64()), Is.EqualTo(new[] { 1L, 5L }), "Alice's commits: the account event is dropped here");
        Assert.That(server.Connections.Single().QueryValues["wantedDids"], Is.EqualTo(Alice));
    }

    [Test]
    public async Task Tail_ProtocolV2_SameJsonShape(CancellationToken token)
    {
        await using var server = await ServerAsync(token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "--protocol", "v2", "--kind", "commit", "-n", "3");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString()), Is.EqualTo(new[] { "commit", "commit", "commit" }));
        Assert.That(server.Connections.Single().Endpoint, Is.EqualTo(EmulatorEndpoint.SubscribeEvents));
        Assert.That(server.Connections.Single().QueryValues["kinds"], Is.EqualTo("commit"));
    }

    [Test]
    public async Task Tail_Compress_DecodesZstdFrames(CancellationToken token)
    {
        await using var server = await ServerAsync(token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "--compress", "-n", "5");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.OutputLines, Has.Length.EqualTo(5));
        Assert.That(server.Connections.Single().Compressed, Is.True);
    }

    [Test]
    public async Task Tail_CursorFile_WrittenThenResumedFromIt(CancellationToken token)
    {
        await using var server = await ServerAsync(token);
        using var folder = Cli.TempFolder();
        var cursorFile = folder.File("cursor.json");

        var first = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "-n", "2", "--cursor-file", cursorFile);
        Assert.That(first.ExitCode, Is.EqualTo(ExitCodes.Success), first.Error);
        using (var saved = JsonDocument.Parse(await File.ReadAllTextAsync(cursorFile, token)))
        {
            Assert.That(saved.RootElement.GetProperty("cursor").GetInt64(), Is.EqualTo(2), "the cursor of the last event printed");
            Assert.That(saved.RootElement.GetProperty("protocol").GetString(), Is.EqualTo("v1"));
        }

        var second = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "-n", "3", "--cursor-file", cursorFile);

        Assert.That(second.ExitCode, Is.EqualTo(ExitCodes.Success), second.Error);
        Assert.That(server.Connections[1].RequestedCursor, Is.EqualTo(2), "resumed from the saved cursor");
        var cursors = second.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("cursor").GetInt64()).ToArray();
        Assert.That(cursors[0], Is.EqualTo(3), "the next event: the saved one seeds the replay filter");
        Assert.That(cursors, Is.Ordered.Ascending);
        using var resaved = JsonDocument.Parse(await File.ReadAllTextAsync(cursorFile, token));
        Assert.That(resaved.RootElement.GetProperty("cursor").GetInt64(), Is.EqualTo(cursors[^1]));
    }

    [Test]
    public async Task Tail_CtrlC_ExitsZeroWithOutputFlushedAndCursorSaved(CancellationToken token)
    {
        await using var server = await ServerAsync(token);
        using var folder = Cli.TempFolder();
        var cursorFile = folder.File("cursor.json");
        await using var tail = Cli.Start("tail", "-e", server.Uri.ToString(), "--cursor-file", cursorFile);

        var lines = await tail.WaitForLinesAsync(5, token);
        var exit = await tail.StopAsync();

        Assert.That(exit, Is.EqualTo(ExitCodes.Success), tail.Error.Text);
        Assert.That(lines, Has.Length.EqualTo(5));
        Assert.That(tail.Error.Text, Is.Empty);
        using var saved = JsonDocument.Parse(await File.ReadAllTextAsync(cursorFile, token));
        Assert.That(saved.RootElement.GetProperty("cursor").GetInt64(), Is.EqualTo(5));
    }

    [Test]
    public async Task Tail_CtrlCWhileEventsFlow_SavedCursorIsTheLastLinePrinted(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(
            new JetstreamTestServerOptions
            {
                Events = JetstreamEventSource.FromGenerator(i => TestEvents.Like(rkey: $"3mmoojp{i:D6}")),
                Mode = EmulatorMode.Live,
                EventsPerSecond = 5_000,
            },
            token);
        using var folder = Cli.TempFolder();
        var cursorFile = folder.File("cursor.json");
        await using var tail = Cli.Start("tail", "-e", server.Uri.ToString(), "--cursor-file", cursorFile);

        await tail.WaitForLinesAsync(500, token);
        var exit = await tail.StopAsync();

        Assert.That(exit, Is.EqualTo(ExitCodes.Success), tail.Error.Text);
        var lastPrinted = JsonDocument.Parse(tail.Output.Lines[^1]).RootElement.GetProperty("cursor").GetInt64();
        using var saved = JsonDocument.Parse(await File.ReadAllTextAsync(cursorFile, token));
        Assert.That(saved.RootElement.GetProperty("cursor").GetInt64(), Is.EqualTo(lastPrinted));
    }

    [Test]
    public async Task Tail_ReaderGoesAway_StopsQuietlyExit0(CancellationToken token)
    {
        await using var server = await ServerAsync(token);
        var output = new ClosingWriter(flushes: 2);
        var error = new CapturedWriter();

        var exit = await CliApp.RunAsync(["tail", "-e", server.Uri.ToString()], output, error, token);

        Assert.That(exit, Is.EqualTo(ExitCodes.Success));
        Assert.That(error.Text, Is.Empty);
    }

    [Test]
    public async Task Tail_CursorFileNotACursor_Exit2(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var cursorFile = folder.File("cursor.json");
        await File.WriteAllTextAsync(cursorFile, "not json", token);

        var result = await Cli.RunAsync(token, "tail", "-e", "ws://127.0.0.1:9", "--cursor-file", cursorFile);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines.Single(), Does.StartWith($"jetstream: --cursor-file is '{cursorFile}'; it must be a cursor file this tool wrote"));
        Assert.That(result.ErrorLines.Single(), Does.EndWith("Delete it, or pass --cursor-file-start-over to set it aside and start again."));
    }

    [Test]
    public async Task Tail_EmptyCursorFileWithStartOver_SetAsideAndRunsFromTheStart(CancellationToken token)
    {
        await using var server = await ServerAsync(token);
        using var folder = Cli.TempFolder();
        var cursorFile = folder.File("cursor.json");
        await File.WriteAllTextAsync(cursorFile, "", token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "--cursor-file", cursorFile, "--cursor-file-start-over", "-n", "2");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.OutputLines, Has.Length.EqualTo(2));
        Assert.That(File.Exists(cursorFile + ".unreadable"), Is.True, "the damaged file is kept for a look");
        Assert.That(await File.ReadAllTextAsync(cursorFile, token), Does.Contain("\"cursor\":2"), "the new cursor was saved");
    }

    [Test]
    public async Task Tail_ServerRejectsTheRequest_PrintsItsReasonExit1(CancellationToken token)
    {
        await using var server = await ServerAsync(token, new FaultPlan().Next(s => s.RejectUpgrade(400, "invalid subscriber options: wantedCollections is not valid")));

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString());

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failure));
        Assert.That(result.ErrorLines.Single(), Is.EqualTo("jetstream: the server rejected the request with HTTP 400: invalid subscriber options: wantedCollections is not valid"));
        Assert.That(result.Output, Is.Empty);
    }

    [Test]
    public async Task Tail_V2ServerRejectsTheRequest_PrintsTheXrpcErrorExit1(CancellationToken token)
    {
        await using var server = await ServerAsync(token, new FaultPlan().Next(s => s.RejectUpgrade(400, """{"error":"InvalidRequest","message":"unknown collection filter"}""")));

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "--protocol", "v2");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failure));
        Assert.That(result.ErrorLines.Single(), Is.EqualTo("jetstream: the server rejected the request with HTTP 400 InvalidRequest: unknown collection filter"));
    }

    [Test]
    public async Task Tail_ServerClosesWithPolicyViolation_PrintsTheCloseReasonExit1(CancellationToken token)
    {
        await using var server = await ServerAsync(token, new FaultPlan().Next(s => s.CloseAfter(1, WebSocketCloseStatus.PolicyViolation, "too many DIDs")));

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString());

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failure));
        Assert.That(result.OutputLines, Has.Length.EqualTo(1), "the event before the close was printed");
        Assert.That(result.ErrorLines.Single(), Is.EqualTo("jetstream: the server closed the connection with 1008: too many DIDs"));
    }

    private static string RecordOf(string eventJson)
    {
        using var document = JsonDocument.Parse(eventJson);
        return document.RootElement.GetProperty("commit").GetProperty("record").GetRawText();
    }

    /// <summary>Standard output whose reader leaves after some lines (`jetstream tail | head -2`).</summary>
    private sealed class ClosingWriter(int flushes) : StringWriter
    {
        private int _flushes;

        public override void Flush()
        {
            if (++_flushes > flushes)
            {
                throw new IOException("Broken pipe");
            }
        }
    }
}
