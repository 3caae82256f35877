namespace Jetstream.Cli.Infrastructure;

/// <summary>A user mistake on the command line: printed as one line, exit code 2, never a stack trace.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The standard form: the option, the value given, and what is allowed.</summary>
    public static UsageException For(string option, string value, string allowed) =>
        new($"{option} is '{Printable(value)}'; {allowed}");

    public static string Printable(string value)
    {
        var oneLine = value.ReplaceLineEndings(" ");
        return oneLine.Length > 80 ? string.Concat(oneLine.AsSpan(0, 80), "…") : oneLine;
    }
}
