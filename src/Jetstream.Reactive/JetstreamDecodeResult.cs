namespace Jetstream.Reactive;

/// <summary>The outcome of decoding one frame: an event, an unknown kind to skip, or a malformed frame.</summary>
public readonly struct JetstreamDecodeResult
{
    private JetstreamDecodeResult(JetstreamEvent? @event, string? unknownKind, MalformedFrameReason? malformed, string? detail)
    {
        Event = @event;
        UnknownKind = unknownKind;
        MalformedReason = malformed;
        Detail = detail;
    }

    /// <summary>The decoded event, or <see langword="null"/> when the frame is skipped.</summary>
    public JetstreamEvent? Event { get; }

    /// <summary>The <c>kind</c> of a well-formed event this client does not know (skipped for forward compatibility), cut to 64 characters.</summary>
    public string? UnknownKind { get; }

    /// <summary>Why the frame is malformed, or <see langword="null"/> when it is not.</summary>
    public MalformedFrameReason? MalformedReason { get; }

    /// <summary>A short, payload-free detail: the field at fault, when known.</summary>
    public string? Detail { get; }

    internal static JetstreamDecodeResult Decoded(JetstreamEvent e) => new(e, null, null, null);

    internal static JetstreamDecodeResult Unknown(string kind) => new(null, kind.Length > 64 ? kind[..64] : kind, null, null);

    internal static JetstreamDecodeResult Malformed(MalformedFrameReason reason, string? detail = null) => new(null, null, reason, detail);

    /// <inheritdoc />
    public override string ToString() =>
        Event is not null ? Event.ToString()!
        : UnknownKind is not null ? $"unknown kind '{UnknownKind}'"
        : $"malformed ({MalformedReason}{(Detail is null ? "" : ": " + Detail)})";
}
