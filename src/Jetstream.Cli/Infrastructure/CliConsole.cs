using Spectre.Console;

namespace Jetstream.Cli.Infrastructure;

/// <summary>
/// Where a command writes: standard output for data (events, URLs), standard error for progress and messages, and
/// whether each is a terminal (which picks the text format and the live displays). Tests pass string writers.
/// </summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="OutIsTerminal">Whether standard output is an interactive terminal.</param>
/// <param name="ErrorIsTerminal">Whether standard error is an interactive terminal.</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool OutIsTerminal = false, bool ErrorIsTerminal = false)
{
    /// <summary>The width of rendered tables when the writer is not a terminal.</summary>
    public const int DefaultWidth = 100;

    /// <summary>The process's console.</summary>
    public static CliConsole System()
    {
        // A pipe gets a large buffer (tail flushes per event, the rest per screen); a terminal sees every write at once.
        var outIsTerminal = !Console.IsOutputRedirected;
        // A redirected stdout is written through its file descriptor, because the console stream ignores a closed pipe
        // and `jetstream tail | head` would then never end; this way the write fails and tail stops.
        Stream stdoutStream = outIsTerminal || OperatingSystem.IsWindows()
            ? Console.OpenStandardOutput()
            : new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (stdoutStream is FileStream { CanSeek: true } file)
        {
            // A regular file (`> log`, `>> log`): a FileStream writes at its own offset from 0 (pwrite), which would
            // overwrite what the shell or an earlier command put there; the console stream appends at the shared offset.
            file.Dispose();
            stdoutStream = Console.OpenStandardOutput();
        }

        var stdout = new StreamWriter(stdoutStream, new global::System.Text.UTF8Encoding(false), 64 * 1024) { AutoFlush = outIsTerminal };
        var stderr = new StreamWriter(Console.OpenStandardError(), new global::System.Text.UTF8Encoding(false)) { AutoFlush = true };
        return new CliConsole(stdout, stderr, outIsTerminal, !Console.IsErrorRedirected);
    }

    /// <summary>A Spectre console on standard output: live and coloured on a terminal, plain text otherwise.</summary>
    public IAnsiConsole SpectreOut() => Spectre(Out, OutIsTerminal);

    /// <summary>A Spectre console on standard error.</summary>
    public IAnsiConsole SpectreError() => Spectre(Error, ErrorIsTerminal);

    private static IAnsiConsole Spectre(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = DefaultWidth;
        }

        return console;
    }
}
