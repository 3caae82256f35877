using System.CommandLine;
using Jetstream.Cli.Commands;
using Jetstream.Cli.Infrastructure;

namespace Jetstream.Cli;

/// <summary>
/// The <c>jetstream</c> command line, runnable in process: parse, run the command, and turn every user mistake into
/// one line on standard error with exit code 2, and every failure into one line with exit code 1. Tests call
/// <see cref="RunAsync(string[], TextWriter, TextWriter, CancellationToken)"/> against the emulator.
/// </summary>
internal static class CliApp
{
    /// <summary>Runs a command with plain (non-terminal) writers, as a test or a pipe sees it.</summary>
    /// <param name="args">The arguments after <c>jetstream</c>.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="cancellationToken">Ctrl+C: the command stops cleanly, flushing its output and cursor.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, new CliConsole(output, error), cancellationToken);

    /// <summary>Runs a command.</summary>
    /// <param name="args">The arguments after <c>jetstream</c>.</param>
    /// <param name="console">Where to write, and whether it is a terminal.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var root = CreateRootCommand(console);

        // No response files: '@file' belongs to --did, which reads DIDs from it.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        try
        {
            if (args.Length == 0)
            {
                await console.Error.WriteLineAsync("jetstream: no command given; run 'jetstream demo' to see it work without a network, or 'jetstream --help' for every command.");
                return ExitCodes.Usage;
            }

            if (parse.Errors.Count > 0 && !IsHelpRequest(args))
            {
                var command = parse.CommandResult.Command;
                var name = command is RootCommand ? "jetstream" : "jetstream " + command.Name;
                await console.Error.WriteLineAsync($"jetstream: {parse.Errors[0].Message} (see '{name} --help')");
                return ExitCodes.Usage;
            }

            return await parse.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = console.Out,
                    Error = console.Error,
                    EnableDefaultExceptionHandler = false,
                    ProcessTerminationTimeout = null,
                },
                cancellationToken);
        }
        catch (UsageException e)
        {
            await console.Error.WriteLineAsync("jetstream: " + e.Message);
            return ExitCodes.Usage;
        }
        catch (CommandFailure e)
        {
            await console.Error.WriteLineAsync("jetstream: " + e.Message);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
#pragma warning disable CA1031 // The last resort: one line, never a stack trace on the user's screen.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await console.Error.WriteLineAsync($"jetstream: unexpected error ({e.GetType().Name}): {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Failure;
        }
        finally
        {
            await FlushQuietlyAsync(console.Out);
            await FlushQuietlyAsync(console.Error);
        }
    }

    /// <summary>The command tree.</summary>
    public static RootCommand CreateRootCommand(CliConsole console)
    {
        var root = new RootCommand("Watch, record and replay Bluesky's Jetstream firehose. New here? Run 'jetstream demo' (no network needed).")
        {
            TailCommand.Create(console),
            BackfillCommand.Create(console),
            StatsCommand.Create(console),
            RecordCommand.Create(console),
            ServeCommand.Create(console),
            DemoCommand.Create(console),
            RelayCommand.Create(console),
        };
        return root;
    }

    private static async Task FlushQuietlyAsync(TextWriter writer)
    {
        try
        {
            await writer.FlushAsync(CancellationToken.None);
        }
        catch (IOException)
        {
            // The reader of the pipe is gone; there is nobody left to tell.
        }
    }

    private static bool IsHelpRequest(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");
}
