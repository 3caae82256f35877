using System.Text;
using System.Text.Json;
using Jetstream.Cli.Infrastructure;
using Jetstream.Cli.Output;
using Jetstream.Reactive;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Cli.Tests;

/// <summary>One event is one line, whatever whitespace the record was sent with.</summary>
[CancelAfter(20_000)]
public sealed class EventJsonTests
{
    private const string PrettyRecord = "{\n  \"$type\": \"app.bsky.feed.post\",\r\n  \"text\": \"two\\nlines\",\n  \"createdAt\": \"2026-05-25T14:23:29.950Z\"\n}";

    [Test]
    public void ToJson_RecordWithRawLineBreaks_OneLineWithTheSameRecord()
    {
        var e = new CommitEvent("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", 1, new JetstreamCommit("3mmoojp7vgo2g", CommitOperation.Create, "app.bsky.feed.post", "3mmoojp4cd221", null, Encoding.UTF8.GetBytes(PrettyRecord)));

        var line = EventJson.ToJson(e);

        Assert.That(line, Does.Not.Contain('\n').And.Not.Contain('\r'));
        using var document = JsonDocument.Parse(line);
        var record = document.RootElement.GetProperty("commit").GetProperty("record");
        Assert.That(record.GetProperty("text").GetString(), Is.EqualTo("two\nlines"), "an escaped newline in a string is kept");
        Assert.That(record.GetProperty("createdAt").GetString(), Is.EqualTo("2026-05-25T14:23:29.950Z"));
    }

    [Test]
    public void ToJson_OneLineRecord_CopiedByteForByte()
    {
        const string record = """{"$type":"app.bsky.feed.like",  "subject" : {"uri":"at://x"}}""";
        var e = new CommitEvent("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", 1, new JetstreamCommit("3mmoojp7vgo2g", CommitOperation.Create, "app.bsky.feed.like", "3mmoojp4cd221", null, Encoding.UTF8.GetBytes(record)));

        Assert.That(EventJson.ToJson(e).EndsWith("\"record\":" + record + "}}", StringComparison.Ordinal), Is.True);
    }

    [Test]
    public async Task Tail_JsonFormatRecordWithRawLineBreaks_OneLinePerEvent(CancellationToken token)
    {
        string[] events =
        [
            TestEvents.Post("REPLACE", rkey: "3mmoojp4cd221"),
            TestEvents.Post("next", rkey: "3mmoojp4cd222"),
        ];

        // The record's whitespace as some servers send it: spliced in after building, since the builder writes compact JSON.
        events[0] = events[0].Replace("\"text\":\"REPLACE\"", "\n  \"text\" :\r\n \"pretty\"\n", StringComparison.Ordinal);
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(events) }, token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "-n", "2", "--format", "json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.OutputLines, Has.Length.EqualTo(2));
        Assert.That(JsonDocument.Parse(result.OutputLines[0]).RootElement.GetProperty("commit").GetProperty("record").GetProperty("text").GetString(), Is.EqualTo("pretty"));
    }
}
