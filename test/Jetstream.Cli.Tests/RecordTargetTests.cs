using Jetstream.Cli.Infrastructure;
using NUnit.Framework;

namespace Jetstream.Cli.Tests;

/// <summary><c>jetstream record</c> never writes over something that is not one of its recordings.</summary>
[CancelAfter(20_000)]
public sealed class RecordTargetTests
{
    private const string NotARecording = "my notes\nimportant things\n";

    [TestCase(false)]
    [TestCase(true)]
    public async Task Record_ExistingFileThatIsNotARecording_Exit2AndUntouched(bool overwrite, CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var file = folder.File("notes.txt");
        await File.WriteAllTextAsync(file, NotARecording, token);
        string[] args = overwrite ? ["record", file, "-e", "ws://127.0.0.1:9", "--overwrite"] : ["record", file, "-e", "ws://127.0.0.1:9"];

        var result = await Cli.RunAsync(token, args);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines.Single(), Does.Contain("the file exists and is not a recording"));
        Assert.That(await File.ReadAllTextAsync(file, token), Is.EqualTo(NotARecording));
    }

    [Test]
    public async Task Record_SymbolicLink_Exit2AndTheTargetUntouched(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var target = folder.File("target.jsonl");
        await File.WriteAllTextAsync(target, NotARecording, token);
        var link = folder.File("link.jsonl");
        File.CreateSymbolicLink(link, target);

        var result = await Cli.RunAsync(token, "record", link, "-e", "ws://127.0.0.1:9", "--overwrite");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines.Single(), Does.Contain("it is a symbolic link"));
        Assert.That(await File.ReadAllTextAsync(target, token), Is.EqualTo(NotARecording));
    }

    [Test]
    public async Task Record_DanglingSymbolicLink_Exit2AndNothingCreated(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var target = folder.File("elsewhere.jsonl");
        var link = folder.File("link.jsonl");
        File.CreateSymbolicLink(link, target);

        var result = await Cli.RunAsync(token, "record", link, "-e", "ws://127.0.0.1:9");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(File.Exists(target), Is.False);
    }

    [Test]
    public async Task Record_Directory_Exit2NamingIt(CancellationToken token)
    {
        using var folder = Cli.TempFolder();

        var result = await Cli.RunAsync(token, "record", folder.Path, "-e", "ws://127.0.0.1:9");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.ErrorLines.Single(), Does.Contain("it is a directory"));
    }
}
