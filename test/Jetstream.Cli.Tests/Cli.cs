using System.Text;

namespace Jetstream.Cli.Tests;

/// <summary>Runs the jetstream command line in process, with captured output, as a pipe sees it (not a terminal).</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(CancellationToken token, params string[] args)
    {
        var output = new CapturedWriter();
        var error = new CapturedWriter();
        var exit = await CliApp.RunAsync(args, output, error, token);
        return new CliResult(exit, output.Text, error.Text);
    }

    /// <summary>Starts a command that runs until stopped (serve, tail without a limit).</summary>
    public static RunningCli Start(params string[] args) => new(args);

    /// <summary>A temporary folder, deleted with the returned object.</summary>
    public static TempFolder TempFolder() => new();
}

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}

/// <summary>A command running on a background task; <see cref="StopAsync"/> is Ctrl+C.</summary>
internal sealed class RunningCli : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<int> _run;

    public RunningCli(string[] args)
    {
        _run = Task.Run(() => CliApp.RunAsync(args, Output, Error, _stop.Token));
    }

    public CapturedWriter Output { get; } = new();

    public CapturedWriter Error { get; } = new();

    public Task<int> Completion => _run;

    /// <summary>Waits until standard output holds <paramref name="lines"/> lines (or the command ended).</summary>
    public async Task<string[]> WaitForLinesAsync(int lines, CancellationToken token)
    {
        while (true)
        {
            var current = Output.Lines;
            if (current.Length >= lines || _run.IsCompleted)
            {
                return current;
            }

            await Task.Delay(10, token);
        }
    }

    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await _run;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}

/// <summary>A thread-safe text writer whose text can be read while a command writes.</summary>
internal sealed class CapturedWriter : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public string[] Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override void Write(char value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_text)
        {
            _text.Append(buffer, index, count);
        }
    }

    public override void Write(string? value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }
}

internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "jetstream-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
