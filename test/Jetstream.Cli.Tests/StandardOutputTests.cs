using System.Diagnostics;
using System.Reflection;
using NUnit.Framework;

namespace Jetstream.Cli.Tests;

/// <summary>The real process's standard output (CliConsole.System), which the in-process tests cannot see.</summary>
[TestFixture]
[CancelAfter(60_000)]
[Platform(Exclude = "Win")]
public sealed class StandardOutputTests
{
    [Test]
    public async Task Version_StdoutIsAFileTheShellAlsoWrites_AppendsBetweenTheShellsLines(CancellationToken token)
    {
        using var folder = Cli.TempFolder();
        var log = folder.File("out.log");
        var dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var jetstream = Path.Combine(AppContext.BaseDirectory, "jetstream.dll");

        // One file opened once by the shell for the whole group, as in `{ …; } > log` or `>> log`: every writer shares
        // its offset. A writer that keeps its own offset from 0 overwrites "before" and is overwritten by "after".
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true };
        foreach (var argument in new[] { "-c", "{ echo before; \"$0\" \"$1\" --version; echo after; } > \"$2\"", dotnet, jetstream, log })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(token);
        await process.WaitForExitAsync(token);

        Assert.That(process.ExitCode, Is.EqualTo(0), await error);
        var version = typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.That(await File.ReadAllLinesAsync(log, token), Is.EqualTo(new[] { "before", version, "after" }));
    }
}
