using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive;

/// <summary>
/// The <c>commit</c> object of a <see cref="CommitEvent"/>: one operation on one record. The record is kept as the raw
/// UTF-8 JSON the server sent and parsed only when asked for (<see cref="Record"/>, <see cref="Deserialize{T}(JsonTypeInfo{T})"/>).
/// </summary>
public sealed class JetstreamCommit
{
    private readonly ReadOnlyMemory<byte> _recordJson;
    private JsonElement? _record;

    /// <summary>Creates a commit.</summary>
    /// <param name="rev">The repository revision (TID) of the commit.</param>
    /// <param name="operation">Create, update or delete.</param>
    /// <param name="collection">The collection NSID, such as <c>app.bsky.feed.post</c>.</param>
    /// <param name="rkey">The record key.</param>
    /// <param name="cid">The record's CID; <see langword="null"/> for deletes.</param>
    /// <param name="recordJson">The record as UTF-8 JSON; empty for deletes. The commit keeps this memory: do not reuse it.</param>
    public JetstreamCommit(string rev, CommitOperation operation, string collection, string rkey, string? cid, ReadOnlyMemory<byte> recordJson)
    {
        ArgumentNullException.ThrowIfNull(rev);
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(rkey);
        Rev = rev;
        Operation = operation;
        Collection = collection;
        RKey = rkey;
        Cid = cid;
        _recordJson = recordJson;
    }

    /// <summary>The repository revision (TID) of the commit that produced this operation (<c>commit.rev</c>).</summary>
    public string Rev { get; }

    /// <summary>Create, update or delete (<c>commit.operation</c>).</summary>
    public CommitOperation Operation { get; }

    /// <summary>The collection NSID (<c>commit.collection</c>), such as <c>app.bsky.feed.like</c>.</summary>
    public string Collection { get; }

    /// <summary>The record key (<c>commit.rkey</c>); may contain <c>:</c> and other record-key characters.</summary>
    public string RKey { get; }

    /// <summary>The record's CID (<c>commit.cid</c>); <see langword="null"/> for deletes.</summary>
    public string? Cid { get; }

    /// <summary>Whether the commit carries a record (creates and updates do, deletes do not).</summary>
    public bool HasRecord => !_recordJson.IsEmpty;

    /// <summary>The record exactly as the server sent it, as UTF-8 JSON; empty for deletes.</summary>
    public ReadOnlyMemory<byte> RecordJson => _recordJson;

    /// <summary>
    /// The record (<c>commit.record</c>) in the atproto JSON data model, parsed on first access and cached;
    /// <see langword="null"/> for deletes.
    /// </summary>
    /// <exception cref="JsonException">The record is not valid JSON (the decoder only checks that it is well formed, so this is rare).</exception>
    public JsonElement? Record
    {
        get
        {
            if (_recordJson.IsEmpty)
            {
                return null;
            }

            // A benign race: two threads may both parse; both results are equal and immutable.
            _record ??= JsonElement.Parse(_recordJson.Span, new JsonDocumentOptions { MaxDepth = JetstreamEventDecoder.MaxDepth });
            return _record;
        }
    }

    /// <summary>Deserializes the record into <typeparamref name="T"/> with source-generated metadata (no reflection).</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="typeInfo">The metadata, usually from a <c>JsonSerializerContext</c>.</param>
    /// <returns>The record, or <see langword="default"/> for deletes.</returns>
    /// <exception cref="JsonException">The record does not fit <typeparamref name="T"/>.</exception>
    public T? Deserialize<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return _recordJson.IsEmpty ? default : JsonSerializer.Deserialize(_recordJson.Span, typeInfo);
    }

    /// <summary>Deserializes the record into <typeparamref name="T"/> with reflection-based serialization.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="options">Serializer options; <see langword="null"/> for <see cref="JsonSerializerOptions.Web"/> (camelCase, case-insensitive).</param>
    /// <returns>The record, or <see langword="default"/> for deletes.</returns>
    /// <exception cref="JsonException">The record does not fit <typeparamref name="T"/>.</exception>
    [RequiresUnreferencedCode("Reflection-based JSON; use the JsonTypeInfo overload for trimming and AOT.")]
    [RequiresDynamicCode("Reflection-based JSON; use the JsonTypeInfo overload for trimming and AOT.")]
    public T? Deserialize<T>(JsonSerializerOptions? options = null) =>
        _recordJson.IsEmpty ? default : JsonSerializer.Deserialize<T>(_recordJson.Span, options ?? JsonSerializerOptions.Web);
}
