namespace Jetstream.Reactive;

/// <summary>
/// Thrown when <see cref="JetstreamOptions"/> are invalid. <see cref="Errors"/> lists every problem; each names the
/// option, its value and what is allowed.
/// </summary>
public sealed class JetstreamOptionsException : ArgumentException
{
    /// <summary>Creates the exception from one or more problems.</summary>
    /// <param name="errors">One message per problem.</param>
    public JetstreamOptionsException(IReadOnlyList<string> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for one problem.</summary>
    /// <param name="message">The problem.</param>
    public JetstreamOptionsException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with no detail (for serialization frameworks).</summary>
    public JetstreamOptionsException()
        : this("Invalid Jetstream options.")
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public JetstreamOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Each problem found, in option order.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Format(IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count == 1 ? errors[0] : $"{errors.Count} Jetstream options are invalid: " + string.Join(" ", errors);
    }
}
