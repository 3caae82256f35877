using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jetstream.Reactive;

/// <summary>
/// An <see cref="ICursorStore"/> in one small JSON file. A save writes a temporary file next to it and renames it over
/// the old one, so a crash leaves either the old cursor or the new one, never half of one. The file is small and written
/// synchronously: a save is complete when <see cref="SaveAsync"/> returns, so the final save on dispose is on disk when
/// the subscription's <c>Dispose</c> returns.
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

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The file exists but does not hold a cursor this class wrote.</exception>
    public async ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(Path, cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = JsonSerializer.Deserialize(bytes, CursorJsonContext.Default.StoredCursor);
            if (stored is null || stored.Host is null || !Enum.TryParse<JetstreamProtocol>(stored.Protocol, ignoreCase: true, out var protocol))
            {
                throw new InvalidDataException($"The cursor file '{Path}' does not hold a cursor (expected protocol, host, cursor, isSequence and timeUs).");
            }

            return new JetstreamCursor(stored.Cursor, stored.IsSequence, stored.TimeUs, protocol, stored.Host);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The cursor file '{Path}' is not valid JSON: {e.Message}", e);
        }
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
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(stored, CursorJsonContext.Default.StoredCursor));
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
