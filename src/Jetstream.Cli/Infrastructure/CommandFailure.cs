namespace Jetstream.Cli.Infrastructure;

/// <summary>The work failed for a reason the user can act on (a file that cannot be resumed): one line, exit code 1.</summary>
internal sealed class CommandFailure : Exception
{
    public CommandFailure(string message)
        : base(message)
    {
    }

    public CommandFailure()
    {
    }

    public CommandFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
