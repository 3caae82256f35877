namespace Jetstream.Reactive.Records;

/// <summary>
/// A record that <see cref="Linq.JetstreamEventExtensions.Records{T}(IObservable{JetstreamEvent}, Linq.RecordOptions?)"/>
/// could not deserialize and skipped.
/// </summary>
public sealed record RecordError
{
    /// <summary>Describes a skipped record.</summary>
    /// <param name="event">The commit whose record failed.</param>
    /// <param name="recordType">The type it was read as.</param>
    /// <param name="exception">Why it failed, usually a <see cref="System.Text.Json.JsonException"/> with the JSON path.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public RecordError(CommitEvent @event, Type recordType, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(recordType);
        ArgumentNullException.ThrowIfNull(exception);
        Event = @event;
        RecordType = recordType;
        Exception = exception;
    }

    /// <summary>The commit whose record failed; its raw JSON is in <see cref="JetstreamCommit.RecordJson"/>.</summary>
    public CommitEvent Event { get; }

    /// <summary>The type the record was read as.</summary>
    public Type RecordType { get; }

    /// <summary>Why it failed.</summary>
    public Exception Exception { get; }
}
