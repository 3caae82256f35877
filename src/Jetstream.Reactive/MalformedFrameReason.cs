namespace Jetstream.Reactive;

/// <summary>Why a frame was skipped as malformed. Each value is a tag of the malformed-frames metric.</summary>
public enum MalformedFrameReason
{
    /// <summary>The message had no bytes (<c>empty</c>).</summary>
    Empty,

    /// <summary>The message was larger than <see cref="JetstreamOptions.MaxMessageSize"/> (<c>too_large</c>): the first <see cref="JetstreamOptions.MaxMessageSize"/> bytes were buffered (in a pooled array), the rest read and thrown away, and nothing was decoded.</summary>
    TooLarge,

    /// <summary>A binary frame that is not a zstd frame (it does not start with the zstd magic number) (<c>binary_frame</c>).</summary>
    BinaryFrame,

    /// <summary>The bytes are not valid UTF-8 (<c>invalid_utf8</c>).</summary>
    InvalidUtf8,

    /// <summary>The text is not well-formed JSON, or has content after the event (<c>not_json</c>).</summary>
    NotJson,

    /// <summary>The JSON value is not an object (<c>not_an_object</c>).</summary>
    NotAnObject,

    /// <summary>The JSON nests deeper than <see cref="JetstreamEventDecoder.MaxDepth"/> (<c>too_deep</c>).</summary>
    TooDeep,

    /// <summary>A required field is absent, such as <c>did</c>, <c>time_us</c>, <c>kind</c> or a commit's <c>rkey</c> (<c>missing_field</c>).</summary>
    MissingField,

    /// <summary>A field has the wrong JSON type, such as a string <c>time_us</c> (<c>wrong_type</c>).</summary>
    WrongType,

    /// <summary>A field has a value outside what the protocol allows, such as an unknown commit operation (<c>invalid_value</c>).</summary>
    InvalidValue,

    /// <summary>
    /// A zstd frame whose header names a dictionary other than the one this connection decodes with
    /// (<c>zstd_dictionary_mismatch</c>); the detail names both IDs.
    /// </summary>
    ZstdDictionaryMismatch,

    /// <summary>
    /// A zstd frame that would decompress to more than <see cref="JetstreamOptions.MaxMessageSize"/> (<c>decompressed_too_large</c>),
    /// such as a decompression bomb. It is rejected from its header when the header declares the size, and otherwise
    /// as soon as the output reaches the limit, so memory never grows past it.
    /// </summary>
    DecompressedTooLarge,

    /// <summary>A zstd frame that could not be decoded: a truncated or damaged frame, or data after it (<c>zstd_corrupt</c>).</summary>
    ZstdCorrupt,
}
