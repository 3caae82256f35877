namespace Jetstream.Reactive.DocsExamples;

/// <summary>Stands in for the reader's own storage in the examples; nothing here implements it.</summary>
public interface IEventStore
{
    /// <summary>Stores an event. Implementations should be idempotent: replays deliver an event again.</summary>
    Task SaveAsync(JetstreamEvent e, CancellationToken cancellationToken);
}
