using System.Net.WebSockets;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Cli.Tests;

/// <summary>Text a server or a post author controls never reaches the terminal with its escapes, bidi overrides or line breaks.</summary>
[CancelAfter(20_000)]
public sealed class TerminalSafetyTests
{
    // OSC 52 writes the clipboard on common terminals; the rest forges a line and reverses the text after it.
    private const string Hostile = "x\u001b]52;c;ZXZpbA==\u0007\nforged line\u202Eevil\u0085";
    private const string Alice = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";

    [Test]
    public async Task Tail_TextFormatWithHostileFields_PrintsThemNeutralised(CancellationToken token)
    {
        string[] events =
        [
            TestEvents.Identity(did: Alice, handle: Hostile),
            TestEvents.Account(did: Alice, active: false, status: Hostile),
            TestEvents.Commit("app.bsky.feed.like", rkey: "r\u001b[2J", did: Alice, rev: Hostile),
        ];
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(events) }, token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "-n", "3", "--format", "text");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        AssertNeutral(result.Output);
        Assert.That(result.OutputLines, Has.Length.EqualTo(3), "no forged lines");
        Assert.That(result.OutputLines[0], Does.EndWith("handle=x␛]52;c;ZXZpbA==␇␊forged line<U+202E>evil<U+0085>"));
        Assert.That(result.OutputLines[2], Does.Contain($"{Alice}/r␛[2J"));
    }

    [Test]
    public async Task Tail_HostileHandshakeBody_FinalErrorLineAndVerboseLogNeutralised(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(
            new JetstreamTestServerOptions { Faults = new FaultPlan().Next(s => s.RejectUpgrade(400, Hostile)) },
            token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "--verbose");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failure));
        AssertNeutral(result.Error);
        Assert.That(result.ErrorLines[^1], Does.StartWith("jetstream: the server rejected the request with HTTP 400: x␛]52;c;ZXZpbA==␇"));
        Assert.That(result.ErrorLines, Has.Length.GreaterThan(1), "the verbose log wrote too");
    }

    [Test]
    public async Task Tail_HostileCloseReason_FinalErrorLineNeutralised(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(
            new JetstreamTestServerOptions
            {
                Events = JetstreamEventSource.FromJson([TestEvents.Like(did: Alice)]),
                Faults = new FaultPlan().Next(s => s.CloseAfter(1, WebSocketCloseStatus.PolicyViolation, "\u001b]52;c;ZXZpbA==\u0007")),
            },
            token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString());

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failure));
        AssertNeutral(result.Error);
        Assert.That(result.ErrorLines.Single(), Is.EqualTo("jetstream: the server closed the connection with 1008: ␛]52;c;ZXZpbA==␇"));
    }

    [Test]
    public async Task Tail_PostTextWithLoneSurrogateEscape_PrintsItAndGoesOn(CancellationToken token)
    {
        // "\udc00" is valid JSON but no .NET string: reading it used to throw out of the text formatter and end tail.
        string[] events =
        [
            // Spliced in after building: System.Text.Json will not write the escape itself.
            TestEvents.Post("bad LONE text", rkey: "3mmoojp4cd221", did: Alice).Replace("LONE", "\\udc00", StringComparison.Ordinal),
            TestEvents.Post("next", rkey: "3mmoojp4cd222", did: Alice),
        ];
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(events) }, token);

        var result = await Cli.RunAsync(token, "tail", "-e", server.Uri.ToString(), "-n", "2", "--format", "text");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.OutputLines, Has.Length.EqualTo(2));
        Assert.That(result.OutputLines[1], Does.EndWith("\"next\""));
    }

    private static void AssertNeutral(string text)
    {
        var lines = text.Split('\n');
        foreach (var c in string.Join(string.Empty, lines))
        {
            Assert.That(char.IsControl(c) && c != '\r', Is.False, $"control U+{(int)c:X4} reached the terminal");
            Assert.That(c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069', Is.False, $"bidi override U+{(int)c:X4} reached the terminal");
        }
    }
}
