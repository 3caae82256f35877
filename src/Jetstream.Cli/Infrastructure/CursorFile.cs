using Jetstream.Reactive;

namespace Jetstream.Cli.Infrastructure;

/// <summary>
/// <c>--cursor-file</c>: opens a <see cref="FileCursorStore"/> for <see cref="JetstreamOptions.CursorStore"/> and checks
/// it before connecting, so that a wrong path or a damaged file is a usage error. The library loads it, saves the
/// cursor of the last event handled, and its subscription's <c>DisposeAsync</c> waits for the final save.
/// </summary>
internal static class CursorFile
{
    /// <summary>
    /// Checks the path (its folder must exist) and, when the file exists, that it holds a cursor; with
    /// <paramref name="startOver"/>, a file without one is set aside instead (see <see cref="FileCursorStore.StartOverIfUnreadable"/>).
    /// </summary>
    /// <exception cref="UsageException">The path or the file's content is wrong.</exception>
    public static async Task<FileCursorStore> OpenAsync(string option, string path, bool startOver, CancellationToken cancellationToken)
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

        var store = new FileCursorStore(path) { StartOverIfUnreadable = startOver };
        try
        {
            await store.LoadAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            throw UsageException.For(option, path, $"it must be a cursor file this tool wrote, or a new file; this one holds no cursor (empty or damaged). Delete it, or pass {option}-start-over to set it aside and start again.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw UsageException.For(option, path, $"it must be a cursor file this tool wrote, or a new file ({e.Message.TrimEnd('.')}).");
        }

        return store;
    }
}
