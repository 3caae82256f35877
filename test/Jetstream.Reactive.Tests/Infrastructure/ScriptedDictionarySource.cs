using System.Buffers.Binary;
using System.Web;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Transport;

namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>
/// A <c>getZstdDictionary</c> endpoint: serves the dictionaries it holds by <c>?id=</c>, the current one without an ID,
/// and fails when told to. Records every request. Answers synchronously, so it runs in virtual time.
/// </summary>
internal sealed class ScriptedDictionarySource : IJetstreamDictionarySource
{
    /// <summary>The ID of <see cref="Rotated"/>: a "newer" dictionary the tests pretend the server rotated to.</summary>
    public const uint RotatedId = 20270101;

    private readonly Queue<Exception> _failures = new();

    public ScriptedDictionarySource()
    {
        Held[JetstreamZstdDictionaries.BundledV2Id] = JetstreamZstdDictionaries.BundledV2.ToArray();
        CurrentId = JetstreamZstdDictionaries.BundledV2Id;
    }

    /// <summary>The bundled v2 dictionary with its ID rewritten: a valid dictionary that frames name by another ID.</summary>
    public static byte[] Rotated { get; } = WithId(JetstreamZstdDictionaries.BundledV2.Span, RotatedId);

    public Dictionary<uint, byte[]> Held { get; } = [];

    public uint CurrentId { get; set; }

    public List<Uri> Requests { get; } = [];

    /// <summary>What is served for a request without an ID; by default the dictionary <see cref="CurrentId"/>.</summary>
    public byte[]? CurrentBodyOverride { get; set; }

    public ScriptedDictionarySource ThenFail(Exception error)
    {
        _failures.Enqueue(error);
        return this;
    }

    public void Rotate()
    {
        Held[RotatedId] = Rotated;
        CurrentId = RotatedId;
    }

    public Task<byte[]> GetZstdDictionaryAsync(Uri uri, CancellationToken cancellationToken)
    {
        Requests.Add(uri);
        if (_failures.Count > 0)
        {
            return Task.FromException<byte[]>(_failures.Dequeue());
        }

        var id = HttpUtility.ParseQueryString(uri.Query)["id"];
        if (id is null)
        {
            return Task.FromResult(CurrentBodyOverride ?? Held[CurrentId]);
        }

        return Held.TryGetValue(uint.Parse(id, System.Globalization.CultureInfo.InvariantCulture), out var bytes)
            ? Task.FromResult(bytes)
            : Task.FromException<byte[]>(new HttpRequestException("HTTP 404 DictionaryNotFound", null, System.Net.HttpStatusCode.NotFound));
    }

    public static byte[] WithId(ReadOnlySpan<byte> dictionary, uint id)
    {
        var copy = dictionary.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(4), id);
        return copy;
    }
}
