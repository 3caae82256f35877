using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jetstream.Reactive;

/// <summary>
/// An <see cref="ICursorStore"/> in one small JSON file. A save writes a temporary file next to it, flushes it to the
/// disk, and renames it over the old one, so a crash or a power cut leaves either the old cursor or the new one, never
/// half of one or an empty file. The file is small and written synchronously: a save is complete when
/// <see cref="SaveAsync"/> returns, so the final save on dispose is on disk when the subscription's <c>Dispose</c> returns.
/// </summary>
public sealed class FileCursorStore : ICursorStore
{
    /// <summary>Creates a store at <paramref name="path"/>; the folder must exist.</summary>
    /// <param name="path">The file, such as <c>jetstream.cursor.json</c>.</param>
    public FileCursorStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>
    /// What <see cref="LoadAsync"/> does with a file that exists but holds no cursor (empty, cut short, not JSON, fields
    /// missing). <see langword="false"/> (the default): it throws, and the stream ends before connecting rather than
    /// start from the wrong place. <see langword="true"/>: the file is renamed to <c>&lt;name&gt;.unreadable</c> (kept
    /// for a look) and the stream starts as if there were no saved cursor: from <see cref="JetstreamOptions.Cursor"/>,
    /// or the live tail.
    /// </summary>
    public bool StartOverIfUnreadable { get; init; }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The file exists but does not hold a cursor this class wrote.</exception>
    public async ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(Path, cancellationToken).ConfigureAwait(false);
        string problem;
        JsonException? error = null;
        try
        {
            var stored = bytes.Length == 0 ? null : JsonSerializer.Deserialize(bytes, CursorJsonContext.Default.StoredCursor);
            if (stored is not null && stored.Host is not null && Enum.TryParse<JetstreamProtocol>(stored.Protocol, ignoreCase: true, out var protocol))
            {
                return new JetstreamCursor(stored.Cursor, stored.IsSequence, stored.TimeUs, protocol, stored.Host);
            }

            problem = bytes.Length == 0
                ? "is empty"
                : "does not hold a cursor (expected protocol, host, cursor, isSequence and timeUs)";
        }
        catch (JsonException e)
        {
            problem = $"is not valid JSON ({e.Message})";
            error = e;
        }

        if (StartOverIfUnreadable)
        {
            File.Move(Path, Path + ".unreadable", overwrite: true);
            return null;
        }

        throw new InvalidDataException(
            $"The cursor file '{Path}' {problem}. It was not written by FileCursorStore, or was damaged. To start over, delete it "
            + "(the stream then starts from JetstreamOptions.Cursor, or the live tail), or set FileCursorStore.StartOverIfUnreadable to do so automatically.",
            error);
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var stored = new StoredCursor
        {
            Protocol = cursor.Protocol.ToString().ToLowerInvariant(),
            Host = cursor.Host,
            Cursor = cursor.Value,
            IsSequence = cursor.IsSequence,
            TimeUs = cursor.TimeUs,
        };
        cancellationToken.ThrowIfCancellationRequested();

        // A temporary name of its own, so that two writers (two subscriptions sharing a store) never interleave in one
        // file: the file always holds one whole cursor, the last one renamed into place.
        var temporary = $"{Path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(JsonSerializer.SerializeToUtf8Bytes(stored, CursorJsonContext.Default.StoredCursor));

                // On the disk before the rename: otherwise a power cut can leave the renamed file empty.
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return ValueTask.CompletedTask;
    }

    internal sealed class StoredCursor
    {
        [JsonPropertyName("protocol")]
        public string? Protocol { get; set; }

        [JsonPropertyName("host")]
        public string? Host { get; set; }

        [JsonPropertyName("cursor")]
        public long Cursor { get; set; }

        [JsonPropertyName("isSequence")]
        public bool IsSequence { get; set; }

        [JsonPropertyName("timeUs")]
        public long TimeUs { get; set; }
    }
}

[JsonSerializable(typeof(FileCursorStore.StoredCursor))]
internal sealed partial class CursorJsonContext : JsonSerializerContext;
