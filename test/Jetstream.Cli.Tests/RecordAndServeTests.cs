using System.Text;
using System.Text.Json;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive.Testing;
using NUnit.Framework;
using ZstdSharp;

namespace Jetstream.Cli.Tests;

/// <summary><c>jetstream record</c> and <c>jetstream serve</c> end to end on 127.0.0.1: a recording served back is the same events.</summary>
[CancelAfter(20_000)]
public sealed class RecordAndServeTests
{
    private static Task<JetstreamTestServer> ServerAsync(int events, CancellationToken token) =>
        JetstreamTestServer.StartAsync(
            new JetstreamTestServerOptions
            {
                Events = JetstreamEventSource.FromGenerator(i => TestEvents.Post($"post {i}", rkey: $"3mmoojp{i:D6}", did: $"did:plc:{i % 7:D24}"), events),
            },
            token);

    [Test]
    public async Task Record_Limit_WritesThatManyJsonLinesAndASummary(CancellationToken token)
    {
        await using var server = await ServerAsync(50, token);
        using var folder = Cli.TempFolder();
        var file = folder.File("posts.jsonl");

        var result = await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "--limit", "20");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        var lines = await File.ReadAllLinesAsync(file, token);
        Assert.That(lines, Has.Length.EqualTo(20));
        Assert.That(Cursors(lines), Is.EqualTo(Enumerable.Range(1, 20).Select(i => (long)i)));
        Assert.That(JsonDocument.Parse(lines[0]).RootElement.GetProperty("commit").GetProperty("record").GetProperty("text").GetString(), Is.EqualTo("post 0"));
        Assert.That(result.ErrorLines.Last(), Does.StartWith($"recorded 20 events to {file}").And.EndWith("it holds 20 events, up to cursor 20"));
    }

    [Test]
    public async Task Record_RunAgain_ResumesAfterTheLastEventWithoutDuplicates(CancellationToken token)
    {
        await using var server = await ServerAsync(50, token);
        using var folder = Cli.TempFolder();
        var file = folder.File("posts.jsonl");

        var first = await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "10");
        var second = await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "15");

        Assert.That(first.ExitCode, Is.EqualTo(ExitCodes.Success), first.Error);
        Assert.That(second.ExitCode, Is.EqualTo(ExitCodes.Success), second.Error);
        Assert.That(server.Connections[1].RequestedCursor, Is.EqualTo(10));
        Assert.That(Cursors(await File.ReadAllLinesAsync(file, token)), Is.EqualTo(Enumerable.Range(1, 25).Select(i => (long)i)));
        Assert.That(second.ErrorLines.Last(), Does.Contain("it holds 25 events, up to cursor 25"));
    }

    [Test]
    public async Task Record_Zstd_ResumesAsASecondFrameThatReadersDecode(CancellationToken token)
    {
        await using var server = await ServerAsync(50, token);
        using var folder = Cli.TempFolder();
        var file = folder.File("posts.jsonl.zst");

        var first = await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "10");
        var second = await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "5");

        Assert.That(first.ExitCode + second.ExitCode, Is.EqualTo(0), first.Error + second.Error);
        var bytes = await File.ReadAllBytesAsync(file, token);
        Assert.That(bytes.AsSpan(0, 4).ToArray(), Is.EqualTo(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }), "a zstd frame");
        Assert.That(Cursors(ReadZstdLines(file)), Is.EqualTo(Enumerable.Range(1, 15).Select(i => (long)i)));
        Assert.That(JetstreamEventSource.FromFile(file).Read().Count(), Is.EqualTo(15), "the emulator reads it back");
    }

    [Test]
    public async Task Record_HalfWrittenLastLine_CutAndResumedFromTheLastWholeEvent(CancellationToken token)
    {
        await using var server = await ServerAsync(50, token);
        using var folder = Cli.TempFolder();
        var file = folder.File("posts.jsonl");
        await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "5");
        await File.AppendAllTextAsync(file, "{\"did\":\"did:plc:cut-off", token);

        var result = await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "5");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(Cursors(await File.ReadAllLinesAsync(file, token)), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long)i)));
    }

    [Test]
    public async Task Record_LastLineWithoutNewline_KeptAndAppendedAfter(CancellationToken token)
    {
        await using var server = await ServerAsync(50, token);
        using var folder = Cli.TempFolder();
        var file = folder.File("posts.jsonl");
        await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "5");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file, token)).TrimEnd('\n'), token);

        var result = await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "5");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(Cursors(await File.ReadAllLinesAsync(file, token)), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long)i)));
    }

    [Test]
    public async Task Record_ExistingFileAndCursor_Exit2(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var file = folder.File("posts.jsonl");
        await File.WriteAllTextAsync(file, TestEvents.Post("x").Replace("\"time_us\":0", "\"time_us\":7", StringComparison.Ordinal) + "\n", token);

        var result = await Cli.RunAsync(token, "record", file, "--cursor", "5", "-e", "ws://127.0.0.1:9");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines.Single(), Does.StartWith("jetstream: --cursor is '5'; ").And.Contain("--overwrite"));
    }

    [Test]
    public async Task Record_Overwrite_StartsTheFileAnew(CancellationToken token)
    {
        await using var server = await ServerAsync(50, token);
        using var folder = Cli.TempFolder();
        var file = folder.File("posts.jsonl");
        await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "10");

        var result = await Cli.RunAsync(token, "record", file, "-e", server.Uri.ToString(), "-n", "3", "--overwrite");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(Cursors(await File.ReadAllLinesAsync(file, token)), Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    [Test]
    public async Task Serve_Recording_PrintsItsUrlAndTailReadsTheSameEvents(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var file = folder.File("posts.jsonl");
        await using (var source = await ServerAsync(30, token))
        {
            var recorded = await Cli.RunAsync(token, "record", file, "-e", source.Uri.ToString(), "-n", "30");
            Assert.That(recorded.ExitCode, Is.EqualTo(ExitCodes.Success), recorded.Error);
        }

        await using var serve = Cli.Start("serve", file);
        var url = (await serve.WaitForLinesAsync(1, token)).Single();
        Assert.That(url, Does.Match(@"^ws://127\.0\.0\.1:\d+$"));
        var tail = await Cli.RunAsync(token, "tail", "-e", url, "-n", "30");
        var exit = await serve.StopAsync();

        Assert.That(tail.ExitCode, Is.EqualTo(ExitCodes.Success), tail.Error);
        Assert.That(Texts(tail.OutputLines), Is.EqualTo(Texts(await File.ReadAllLinesAsync(file, token))));
        Assert.That(exit, Is.EqualTo(ExitCodes.Success));
        Assert.That(serve.Error.Text, Does.StartWith("serving 30 events from " + file));
    }

    [Test]
    public async Task Serve_Rate_ServesLiveAtTheTail(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var file = folder.File("events.jsonl");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 5).Select(i => TestEvents.Post($"live {i}", rkey: $"3mmoojp{i:D6}")), token);

        await using var serve = Cli.Start("serve", file, "--rate", "200", "--loop");
        var url = (await serve.WaitForLinesAsync(1, token)).Single();
        var tail = await Cli.RunAsync(token, "tail", "-e", url, "-n", "12", "-f", "text");

        Assert.That(tail.ExitCode, Is.EqualTo(ExitCodes.Success), tail.Error);
        Assert.That(tail.OutputLines, Has.Length.EqualTo(12), "the loop goes on past the file's five events");
        Assert.That(serve.Error.Text, Does.Contain("live at 200 events/s, looping"));
        Assert.That(await serve.StopAsync(), Is.EqualTo(ExitCodes.Success));
    }

    [Test]
    public async Task Serve_NotJetstreamLines_SkippedAndCounted(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var file = folder.File("mixed.jsonl");
        await File.WriteAllLinesAsync(file, [TestEvents.Post("one"), "not json", "[1,2]", TestEvents.Post("two")], token);

        var result = await Cli.RunAsync(token, "serve", file, "--duration", "50ms");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.Error, Does.StartWith("serving 2 events from").And.Contain("skipped 2 lines that are not Jetstream events"));
    }

    [Test]
    public async Task Serve_BrokenZstdFile_OneLineExit1(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var file = folder.File("broken.jsonl.zst");
        await File.WriteAllBytesAsync(file, [0x28, 0xB5, 0x2F, 0xFD, 0x01, 0x02, 0x03], token);

        var result = await Cli.RunAsync(token, "serve", file);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failure));
        Assert.That(result.ErrorLines.Single(), Does.StartWith($"jetstream: cannot serve '{file}'"));
    }

    private static long[] Cursors(IEnumerable<string> lines) =>
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("cursor").GetInt64()).ToArray();

    private static string?[] Texts(IEnumerable<string> lines) =>
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("commit").GetProperty("record").GetProperty("text").GetString()).ToArray();

    private static string[] ReadZstdLines(string file)
    {
        using var stream = new DecompressionStream(File.OpenRead(file), leaveOpen: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
