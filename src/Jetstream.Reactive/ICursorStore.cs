namespace Jetstream.Reactive;

/// <summary>
/// Where <see cref="JetstreamObservable.Connect"/> keeps the cursor of the last event handled (the observer's
/// <c>OnNext</c> returned, or the <c>SubscribeAsync</c> handler finished), so that a restarted
/// process resumes where it stopped (<see cref="JetstreamOptions.CursorStore"/>). <see cref="FileCursorStore"/> is the
/// built-in implementation; implement this for a database.
/// </summary>
public interface ICursorStore
{
    /// <summary>Reads the saved cursor.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The cursor, or <see langword="null"/> when none was saved.</returns>
    ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Saves <paramref name="cursor"/>, replacing the previous one. Calls never overlap.</summary>
    /// <param name="cursor">The cursor of the last event handled.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the cursor is stored.</returns>
    ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken);
}
