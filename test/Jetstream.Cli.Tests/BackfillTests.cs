using System.Text.Json;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Cli.Tests;

/// <summary><c>jetstream backfill</c> end to end against the emulator's archive on 127.0.0.1.</summary>
[CancelAfter(30_000)]
public sealed class BackfillTests
{
    private static async Task<JetstreamTestServer> ServerAsync(CancellationToken token)
    {
        var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Mode = EmulatorMode.Live, ArchiveEventsPerBlock = 4 }, token);
        server.Publish(Enumerable.Range(0, 20).Select(i => TestEvents.Post($"post {i}", rkey: $"3mmoojp4cd2{i:d2}")).ToArray());
        server.SealArchive();
        server.Publish(Enumerable.Range(20, 5).Select(i => TestEvents.Post($"post {i}", rkey: $"3mmoojp4cd2{i:d2}")).ToArray());
        return server;
    }

    [Test]
    public async Task Backfill_Snapshot_PrintsTheSealedHistoryInSeqOrderAndASummary(CancellationToken token)
    {
        await using var server = await ServerAsync(token);
        var result = await Cli.RunAsync(token, "backfill", "--endpoint", server.Uri.ToString(), "--from", "5", "--snapshot");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        var cursors = result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("cursor").GetInt64()).ToList();
        Assert.That(cursors, Is.EqualTo(Enumerable.Range(6, 15).Select(i => (long)i)));
        Assert.That(result.Error, Does.Contain("completed: seq 20 of 20").And.Contain("resume with --from 20"));
    }

    [Test]
    public async Task Backfill_ThenLive_ContinuesPastTheSealedTipWithoutAGap(CancellationToken token)
    {
        await using var server = await ServerAsync(token);
        var result = await Cli.RunAsync(token, "backfill", "--endpoint", server.Uri.ToString(), "--from", "0", "--limit", "25");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        var cursors = result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("cursor").GetInt64()).ToList();
        Assert.That(cursors, Is.EqualTo(Enumerable.Range(1, 25).Select(i => (long)i)));
    }

    [TestCase("--protocol", "v1", "--protocol")]
    [TestCase("--cursor", "5", "--cursor")]
    [TestCase("--concurrency", "0", "--concurrency")]
    public async Task Backfill_BadOption_IsAUsageErrorNamingIt(string option, string value, string named, CancellationToken token)
    {
        var result = await Cli.RunAsync(token, "backfill", "--endpoint", "ws://127.0.0.1:9", "--from", "0", option, value);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.Error, Does.Contain(named));
    }
}
