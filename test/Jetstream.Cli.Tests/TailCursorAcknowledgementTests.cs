using System.Text.Json;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Cli.Tests;

/// <summary><c>tail --cursor-file</c> saves the last event printed, never one it could not print.</summary>
[CancelAfter(20_000)]
public sealed class TailCursorAcknowledgementTests
{
    [Test]
    public async Task Tail_ReaderGoesAwayWithCursorFile_SavedCursorIsTheLastEventPrinted(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromGenerator(i => TestEvents.Like(rkey: $"3mmoojp{i:D6}"), 5) }, token);
        using var folder = Cli.TempFolder();
        var cursorFile = folder.File("cursor.json");
        var output = new ClosingWriter(flushes: 2);

        var exit = await CliApp.RunAsync(["tail", "-e", server.Uri.ToString(), "--cursor-file", cursorFile], output, new CapturedWriter(), token);

        Assert.That(exit, Is.EqualTo(ExitCodes.Success));
        using var saved = JsonDocument.Parse(await File.ReadAllTextAsync(cursorFile, token));
        Assert.That(saved.RootElement.GetProperty("cursor").GetInt64(), Is.EqualTo(2), "the third event found the output closed: not printed, so not saved");
    }

    /// <summary>Standard output whose reader goes away after <paramref name="flushes"/> lines.</summary>
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
