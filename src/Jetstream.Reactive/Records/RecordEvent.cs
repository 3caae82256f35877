namespace Jetstream.Reactive.Records;

/// <summary>A create or update commit together with its record, deserialized to <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed record RecordEvent<T>
    where T : class
{
    /// <summary>Pairs a commit with its record.</summary>
    /// <param name="event">The commit event.</param>
    /// <param name="record">Its record.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public RecordEvent(CommitEvent @event, T record)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(record);
        Event = @event;
        Record = record;
    }

    /// <summary>The commit event: DID, time, cursor, and the commit with its revision, operation and raw record.</summary>
    public CommitEvent Event { get; }

    /// <summary>The record.</summary>
    public T Record { get; }

    /// <summary>The author's DID (<see cref="JetstreamEvent.Did"/>).</summary>
    public string Did => Event.Did;

    /// <summary>Create or update (deletes carry no record, so they never appear here).</summary>
    public CommitOperation Operation => Event.Commit.Operation;

    /// <summary>The collection NSID (<see cref="JetstreamCommit.Collection"/>).</summary>
    public string Collection => Event.Commit.Collection;

    /// <summary>The record key (<see cref="JetstreamCommit.RKey"/>).</summary>
    public string RKey => Event.Commit.RKey;

    /// <summary>The record's URI, <c>at://did/collection/rkey</c>, built on each call from the event's fields as the server sent them.</summary>
    public AtUri Uri => AtUri.FromRecord(Event.Did, Event.Commit.Collection, Event.Commit.RKey);

    /// <summary>A strong reference to this version of the record (its URI and CID), as replies, likes and quotes use; built on each call.</summary>
    /// <exception cref="InvalidOperationException">The commit carries no CID.</exception>
    public StrongRef Ref => new()
    {
        Uri = Uri,
        Cid = Event.Commit.Cid is { } cid ? Cid.FromTrusted(cid) : throw new InvalidOperationException("The commit has no CID."),
    };
}
