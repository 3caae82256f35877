namespace Jetstream.Reactive.Protocol.V2;

/// <summary>
/// One decoded v2 frame: an event, an unknown <c>$type</c> or a malformed frame (all in <see cref="Result"/>), or one
/// of the two frames that are not events: a <c>#info</c> notice or an <c>error</c> frame.
/// </summary>
internal readonly struct V2Frame
{
    private V2Frame(JetstreamDecodeResult result, V2FrameKind kind, string? name, string? message)
    {
        Result = result;
        Kind = kind;
        Name = name;
        Message = message;
    }

    public V2FrameKind Kind { get; }

    /// <summary>For <see cref="V2FrameKind.Result"/>: the event, unknown type or malformed reason.</summary>
    public JetstreamDecodeResult Result { get; }

    /// <summary>The info <c>name</c> or the error name, cut to 64 characters.</summary>
    public string? Name { get; }

    /// <summary>The server's <c>message</c>, if any.</summary>
    public string? Message { get; }

    public static V2Frame Of(JetstreamDecodeResult result) => new(result, V2FrameKind.Result, null, null);

    public static V2Frame Info(string name, string? message) => new(default, V2FrameKind.Info, name, message);

    public static V2Frame ServerError(string error, string? message) => new(default, V2FrameKind.Error, error, message);
}

/// <summary>What a <see cref="V2Frame"/> holds.</summary>
internal enum V2FrameKind
{
    Result,
    Info,
    Error,
}
