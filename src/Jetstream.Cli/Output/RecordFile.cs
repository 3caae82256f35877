using System.Buffers;
using System.Text;
using System.Text.Json;
using Jetstream.Cli.Infrastructure;
using Jetstream.Reactive;
using ZstdSharp;

namespace Jetstream.Cli.Output;

/// <summary>
/// A recording: JSON lines as <see cref="EventJson"/> writes them, zstd-compressed when the name ends in <c>.zst</c>
/// (each run appends one complete zstd frame; readers decode the frames in sequence). An existing recording is resumed:
/// its last event's cursor is where the next run starts.
/// </summary>
internal sealed class RecordFile : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly Stream _stream;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    private RecordFile(string path, FileStream file, bool zstd)
    {
        Path = path;
        _file = file;
        Compressed = zstd;
        _stream = zstd ? new CompressionStream(file, level: 3, leaveOpen: true) : file;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>Whether the file is zstd-compressed.</summary>
    public bool Compressed { get; }

    private const int MaxFirstLine = 1024 * 1024;

    /// <summary>JSON bytes written by this run (before compression).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Whether <paramref name="path"/> names a zstd recording.</summary>
    public static bool IsZstd(string path) => path.EndsWith(".zst", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Refuses a target that record must not write: a directory, a symbolic link (writing would follow it to whatever it
    /// points at), or an existing file that is not a recording (with or without <c>--overwrite</c>: only recordings are
    /// resumed or replaced).
    /// </summary>
    /// <exception cref="UsageException">The target is one of those.</exception>
    public static void CheckTarget(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw UsageException.For("<file>", path, "it is a symbolic link; give the path of the recording itself (record never writes through a link).");
        }

        if (Directory.Exists(path))
        {
            throw UsageException.For("<file>", path, "it is a directory; give a file path, such as a new file inside it.");
        }

        if (info.Exists && !LooksLikeRecording(path))
        {
            throw UsageException.For("<file>", path, "the file exists and is not a recording (its first line is not a Jetstream event); choose a new file: record only resumes or overwrites its own recordings.");
        }
    }

    /// <summary>Whether the file is empty or starts with a Jetstream event line (reading at most 1 MiB of it).</summary>
    private static bool LooksLikeRecording(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            if (file.Length == 0)
            {
                return true;
            }

            using Stream stream = IsZstd(path) ? new DecompressionStream(file) : file;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var first = new StringBuilder();
            var buffer = new char[4096];
            while (first.Length < MaxFirstLine)
            {
                var read = reader.Read(buffer, 0, buffer.Length);
                if (read == 0)
                {
                    break;
                }

                var newline = Array.IndexOf(buffer, '\n', 0, read);
                first.Append(buffer, 0, newline < 0 ? read : newline);
                if (newline >= 0)
                {
                    break;
                }
            }

            return first.Length < MaxFirstLine && CursorOf(first.ToString().TrimEnd('\r')) is not null;
        }
        catch (Exception e) when (e is EndOfStreamException or ZstdException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads where an existing recording ends, without changing it.</summary>
    /// <returns>The point to resume from, or <see langword="null"/> when the file is missing or empty.</returns>
    /// <exception cref="CommandFailure">The file cannot be read or does not end with a Jetstream event.</exception>
    public static ResumePoint? ReadResumePoint(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return null;
        }

        long events = 0;
        string? lastLine = null;
        try
        {
            using var file = File.OpenRead(path);
            using Stream stream = IsZstd(path) ? new DecompressionStream(file) : file;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    events++;
                    lastLine = line;
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or ZstdException or IOException or UnauthorizedAccessException)
        {
            throw new CommandFailure($"cannot resume '{path}': {e.Message.TrimEnd('.')} (a zstd recording that was killed ends in an incomplete frame); add --overwrite or choose a new file.", e);
        }

        if (lastLine is null)
        {
            return null;
        }

        var cursor = CursorOf(lastLine);
        if (cursor is null && !IsZstd(path))
        {
            // A killed run may have left half a line: resume from the last complete one.
            var complete = LastCompleteLine(path);
            if (complete is not null && CursorOf(complete.Value.Line) is { } earlier)
            {
                return new ResumePoint(earlier, events - 1, complete.Value.Length);
            }
        }

        return cursor is { } value
            ? new ResumePoint(value, events, null)
            : throw new CommandFailure($"cannot resume '{path}': its last line is not a Jetstream event with time_us; add --overwrite or choose a new file.");
    }

    /// <summary>Opens the file for writing: appended to after <paramref name="resume"/>, or created anew.</summary>
    /// <exception cref="CommandFailure">The file cannot be opened.</exception>
    public static RecordFile Open(string path, ResumePoint? resume)
    {
        try
        {
            var needsNewline = resume is { TruncateTo: null } && !IsZstd(path) && !EndsWithNewline(path);
            var file = new FileStream(path, resume is null ? FileMode.Create : FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 64 * 1024);
            if (resume?.TruncateTo is { } length)
            {
                file.SetLength(length);
            }

            file.Seek(0, SeekOrigin.End);
            if (needsNewline)
            {
                file.WriteByte((byte)'\n');
            }

            return new RecordFile(path, file, IsZstd(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CommandFailure($"cannot write '{path}': {e.Message.TrimEnd('.')}.", e);
        }
    }

    /// <summary>Appends one event as a JSON line.</summary>
    public void Write(JetstreamEvent e)
    {
        _buffer.ResetWrittenCount();
        EventJson.Write(e, _buffer);
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        _stream.Write(_buffer.WrittenSpan);
        BytesWritten += _buffer.WrittenCount;
    }

    /// <summary>Pushes a plain recording's lines to the disk, so little is lost if the process is killed. A zstd frame is completed on dispose only.</summary>
    public void Flush()
    {
        if (!Compressed)
        {
            _file.Flush();
        }
    }

    /// <summary>The file's size on disk.</summary>
    public long FileLength => _file.Length;

    public async ValueTask DisposeAsync()
    {
        if (Compressed)
        {
            await _stream.DisposeAsync();
        }

        await _file.DisposeAsync();
    }

    private static long? CursorOf(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("cursor", out var cursor) && cursor.TryGetInt64(out var seq))
            {
                return seq;
            }

            return root.TryGetProperty("time_us", out var time) && time.TryGetInt64(out var us) ? us : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool EndsWithNewline(string path)
    {
        using var file = File.OpenRead(path);
        if (file.Length == 0)
        {
            return true;
        }

        file.Seek(-1, SeekOrigin.End);
        return file.ReadByte() == '\n';
    }

    private static (string Line, long Length)? LastCompleteLine(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var end = Array.LastIndexOf(bytes, (byte)'\n');
        if (end < 0)
        {
            return null;
        }

        var start = end == 0 ? -1 : Array.LastIndexOf(bytes, (byte)'\n', end - 1);
        return (Encoding.UTF8.GetString(bytes, start + 1, end - start - 1), end + 1);
    }
}

/// <summary>Where an existing recording ends.</summary>
/// <param name="Cursor">The last event's cursor: its <c>cursor</c> (a server sequence number) when present, else its <c>time_us</c>.</param>
/// <param name="Events">How many events the file holds.</param>
/// <param name="TruncateTo">The length to cut the file to first (a half-written last line), or <see langword="null"/>.</param>
internal sealed record ResumePoint(long Cursor, long Events, long? TruncateTo);
