namespace Jetstream.Reactive;

/// <summary>
/// Thrown when <see cref="JetstreamOptions"/> are invalid. <see cref="Errors"/> lists every problem; each names the
/// option, its value and what is allowed; <see cref="OptionErrors"/> holds the same problems with each setting's path apart
/// from its message, for hosts that name settings their own way.
/// </summary>
public sealed class JetstreamOptionsException : ArgumentException
{
    /// <summary>Creates the exception from one or more problems.</summary>
    /// <param name="errors">One message per problem.</param>
    public JetstreamOptionsException(IReadOnlyList<string> errors)
        : base(Format(errors))
    {
        Errors = errors;
        OptionErrors = [];
    }

    /// <summary>Creates the exception from one or more structured problems.</summary>
    /// <param name="errors">One error per problem, in option order.</param>
    public JetstreamOptionsException(IReadOnlyList<JetstreamOptionError> errors)
        : this(Messages(errors))
    {
        OptionErrors = errors;
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
        OptionErrors = [];
    }

    /// <summary>Each problem found, in option order.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>
    /// Each problem with its setting's path apart from its text, in the order of <see cref="Errors"/> (the same
    /// problems, so <c>OptionErrors[i].Message</c> is <c>Errors[i]</c>); empty when the exception was made from plain
    /// messages.
    /// </summary>
    public IReadOnlyList<JetstreamOptionError> OptionErrors { get; }

    private static string[] Messages(IReadOnlyList<JetstreamOptionError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return [.. errors.Select(e => e.Message)];
    }

    private static string Format(IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count == 1 ? errors[0] : $"{errors.Count} Jetstream options are invalid: " + string.Join(" ", errors);
    }
}
