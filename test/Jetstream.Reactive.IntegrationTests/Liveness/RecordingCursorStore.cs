namespace Jetstream.Reactive.IntegrationTests.Liveness;

/// <summary>An in-memory cursor store that keeps every save, for assertions; safe across threads.</summary>
internal sealed class RecordingCursorStore : ICursorStore
{
    private readonly Lock _gate = new();
    private readonly List<JetstreamCursor> _saves = [];

    public IReadOnlyList<JetstreamCursor> Saves
    {
        get
        {
            lock (_gate)
            {
                return _saves.ToArray();
            }
        }
    }

    public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<JetstreamCursor?>(null);

    public ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _saves.Add(cursor);
        }

        return ValueTask.CompletedTask;
    }
}
