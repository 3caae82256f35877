using Jetstream.Reactive;

namespace Jetstream.Cli.Infrastructure;

/// <summary>
/// <c>--cursor-file</c>: the cursor of the last event handled, kept in a <see cref="FileCursorStore"/>. A cursor saved
/// by another host or protocol is turned into a time cursor (its <c>time_us</c> minus a rewind), because sequence numbers
/// mean nothing elsewhere.
/// </summary>
internal sealed class CursorFile
{
    /// <summary>How far before a saved time a resume on another host starts.</summary>
    public static readonly TimeSpan Rewind = TimeSpan.FromSeconds(10);

    private readonly FileCursorStore _store;
    private readonly string _option;

    private CursorFile(string option, string path)
    {
        _option = option;
        _store = new FileCursorStore(path);
        Path = path;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>Checks the path: its folder must exist.</summary>
    /// <exception cref="UsageException">The path is empty or its folder does not exist.</exception>
    public static CursorFile Open(string option, string path)
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

        return new CursorFile(option, path);
    }

    /// <summary>Reads the saved cursor for <paramref name="options"/>' host and protocol, or <see langword="null"/> when none is saved.</summary>
    /// <exception cref="UsageException">The file exists but does not hold a cursor.</exception>
    public async Task<long?> LoadAsync(JetstreamOptions options, CancellationToken cancellationToken)
    {
        JetstreamCursor? saved;
        try
        {
            saved = await _store.LoadAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw UsageException.For(_option, Path, $"it must be a cursor file this tool wrote, or a new file ({e.Message.TrimEnd('.')}).");
        }

        if (saved is null)
        {
            return null;
        }

        if (saved.Protocol == options.Protocol && string.Equals(saved.Host, Host(options), StringComparison.OrdinalIgnoreCase))
        {
            return saved.Value;
        }

        return Math.Max(0, saved.TimeUs - (long)Rewind.TotalMicroseconds);
    }

    /// <summary>Saves the cursor of <paramref name="e"/>.</summary>
    public async Task SaveAsync(JetstreamEvent e, JetstreamOptions options, CancellationToken cancellationToken) =>
        await _store.SaveAsync(JetstreamCursor.Of(e, options.Protocol, Host(options)), cancellationToken);

    private static string Host(JetstreamOptions options) =>
        (options.Endpoints.Count > 0 ? options.Endpoints[0]
            : options.Protocol == JetstreamProtocol.V2 && options.Endpoint == JetstreamOptions.DefaultEndpoint ? JetstreamOptions.DefaultV2Endpoint
            : options.Endpoint).Authority;
}
