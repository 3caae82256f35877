using Jetstream.Reactive;

namespace Jetstream.Cli.Infrastructure;

/// <summary>
/// <c>--cursor-file</c>: a <see cref="FileCursorStore"/> for <see cref="JetstreamOptions.CursorStore"/>, which loads it
/// before connecting and saves the cursor of the last event handled. This wrapper lets the command wait, when it
/// stops, until the last event it printed is saved (the stream saves on dispose without being awaited).
/// </summary>
internal sealed class CursorFile : ICursorStore
{
    private readonly FileCursorStore _store;
    private readonly object _lock = new();
    private JetstreamCursor? _lastSaved;
    private bool _frozen;
    private JetstreamEvent? _frozenAt;
    private TaskCompletionSource _saved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CursorFile(string path, bool startOver)
    {
        _store = new FileCursorStore(path) { StartOverIfUnreadable = startOver };
        Path = path;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>
    /// Checks the path (its folder must exist) and, when the file exists, that it holds a cursor; with
    /// <paramref name="startOver"/>, a file without one is set aside instead (see <see cref="FileCursorStore.StartOverIfUnreadable"/>).
    /// </summary>
    /// <exception cref="UsageException">The path or the file's content is wrong.</exception>
    public static async Task<CursorFile> OpenAsync(string option, string path, bool startOver, CancellationToken cancellationToken)
    {
        string? folder;
        try
        {
            folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw UsageException.For(option, path, "it must be a file path whose folder exists.");
        }

        if (string.IsNullOrWhiteSpace(path) || folder is null || !Directory.Exists(folder) || Directory.Exists(path))
        {
            throw UsageException.For(option, path, "it must be a file path whose folder exists (the file is created when missing).");
        }

        var file = new CursorFile(path, startOver);
        try
        {
            await file._store.LoadAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            throw UsageException.For(option, path, $"it must be a cursor file this tool wrote, or a new file; this one holds no cursor (empty or damaged). Delete it, or pass {option}-start-over to set it aside and start again.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw UsageException.For(option, path, $"it must be a cursor file this tool wrote, or a new file ({e.Message.TrimEnd('.')}).");
        }

        return file;
    }

    /// <inheritdoc />
    public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => _store.LoadAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        lock (_lock)
        {
            if (_frozen)
            {
                // Stopped: an event delivered after the stop was skipped, not printed, so its cursor must not be saved.
                if (_frozenAt is not { } handled)
                {
                    return;
                }

                cursor = JetstreamCursor.Of(handled, cursor.Protocol, cursor.Host);
            }
        }

        await _store.SaveAsync(cursor, cancellationToken);
        TaskCompletionSource saved;
        lock (_lock)
        {
            _lastSaved = cursor;
            saved = _saved;
            _saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        saved.TrySetResult();
    }

    /// <summary>
    /// The command stopped after handling <paramref name="lastHandled"/>: from now on only its cursor is saved, whatever
    /// the stream delivers while it winds down.
    /// </summary>
    public void Freeze(JetstreamEvent? lastHandled)
    {
        lock (_lock)
        {
            _frozen = true;
            _frozenAt = lastHandled;
        }
    }

    /// <summary>Waits until the cursor of <paramref name="e"/> is saved, or <paramref name="timeout"/> passes.</summary>
    /// <returns>Whether it was saved.</returns>
    public async Task<bool> WaitForAsync(JetstreamEvent e, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (_lock)
            {
                if (_lastSaved is { } saved && saved.Value == e.Cursor && saved.TimeUs == e.TimeUs)
                {
                    return true;
                }

                next = _saved.Task;
            }

            try
            {
                await next.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }
}
