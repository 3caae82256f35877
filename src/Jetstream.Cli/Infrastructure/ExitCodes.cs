namespace Jetstream.Cli.Infrastructure;

/// <summary>The process exit codes of every command.</summary>
internal static class ExitCodes
{
    /// <summary>The command finished, or was stopped with Ctrl+C after flushing.</summary>
    public const int Success = 0;

    /// <summary>The server rejected the request for good, or the work failed (a file could not be written).</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown option, or a bad NSID, DID, cursor, URL or number.</summary>
    public const int Usage = 2;
}
