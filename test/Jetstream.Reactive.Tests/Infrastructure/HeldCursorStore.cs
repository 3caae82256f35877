namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>
/// An <see cref="ICursorStore"/> whose loads and saves (each one, or only those the test picks) wait for the test to
/// release them, so that a test can dispose the subscription while one is in flight.
/// </summary>
internal sealed class HeldCursorStore(bool holdLoads, bool holdSaves, bool honourCancellation = true) : ICursorStore
{
    public List<HeldCall<JetstreamCursor?>> Loads { get; } = [];

    public List<(HeldCall<bool> Call, JetstreamCursor Cursor)> Saves { get; } = [];

    public List<JetstreamCursor> Saved { get; } = [];

    public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!holdLoads)
        {
            return ValueTask.FromResult<JetstreamCursor?>(null);
        }

        var call = new HeldCall<JetstreamCursor?>(honourCancellation, cancellationToken);
        Loads.Add(call);
        return new ValueTask<JetstreamCursor?>(call.Task);
    }

    public ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
    {
        if (!holdSaves)
        {
            Saved.Add(cursor);
            return ValueTask.CompletedTask;
        }

        var call = new HeldCall<bool>(honourCancellation, cancellationToken);
        Saves.Add((call, cursor));
        return new ValueTask(call.Task.ContinueWith(t => Saved.Add(cursor), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
    }
}
