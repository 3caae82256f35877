namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>An in-memory <see cref="ICursorStore"/> that records every save (with the virtual time it happened at).</summary>
internal sealed class MemoryCursorStore(Func<long> clock) : ICursorStore
{
    public JetstreamCursor? Stored { get; set; }

    public Exception? LoadError { get; set; }

    public List<(long Time, JetstreamCursor Cursor)> Saves { get; } = [];

    /// <summary>Errors the next saves fail with, one per save, before saves succeed again.</summary>
    public Queue<Exception> SaveErrors { get; } = new();

    public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) =>
        LoadError is { } e ? ValueTask.FromException<JetstreamCursor?>(e) : ValueTask.FromResult(Stored);

    public ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
    {
        if (SaveErrors.TryDequeue(out var error))
        {
            return ValueTask.FromException(error);
        }

        Saves.Add((clock(), cursor));
        Stored = cursor;
        return ValueTask.CompletedTask;
    }
}
