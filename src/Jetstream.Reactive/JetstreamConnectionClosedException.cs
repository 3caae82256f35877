using System.Net.WebSockets;

namespace Jetstream.Reactive;

/// <summary>
/// The server closed the connection, with a close frame (<see cref="CloseStatus"/> set) or without one (the socket
/// just ended, which WebSocket calls 1006). Retried, except the close codes that say the client's own request was bad
/// (1007, 1008, 1009, and a legacy 1000 whose reason says the options update could not be parsed): reconnecting would
/// only repeat it.
/// </summary>
public sealed class JetstreamConnectionClosedException : JetstreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="closeStatus">The close code, or <see langword="null"/> when the connection ended without a close frame.</param>
    /// <param name="closeDescription">The close reason the server sent, if any.</param>
    /// <param name="innerException">The transport error, for an abnormal end.</param>
    public JetstreamConnectionClosedException(WebSocketCloseStatus? closeStatus, string? closeDescription, Exception? innerException = null)
        : base(FormatMessage(closeStatus, closeDescription), innerException)
    {
        CloseStatus = closeStatus;
        CloseDescription = closeDescription;
    }

    /// <summary>The close code, or <see langword="null"/> when the socket ended without a close frame (1006).</summary>
    public WebSocketCloseStatus? CloseStatus { get; }

    /// <summary>The close reason the server sent, if any.</summary>
    public string? CloseDescription { get; }

    /// <inheritdoc />
    public override bool IsRetryable => CloseStatus switch
    {
        WebSocketCloseStatus.InvalidPayloadData or WebSocketCloseStatus.PolicyViolation or WebSocketCloseStatus.MessageTooBig => false,
        WebSocketCloseStatus.NormalClosure => !IsLegacyOptionsError(CloseDescription),
        _ => true,
    };

    private static bool IsLegacyOptionsError(string? reason) =>
        reason is not null && (reason.StartsWith("failed to parse subscriber options", StringComparison.Ordinal)
            || reason.StartsWith("failed to unmarshal subscriber", StringComparison.Ordinal));

    // The message is logged and printed: the server's text in it is cleaned and cut; CloseDescription keeps it as sent.
    private const int MaxServerText = 500;

    private static string FormatMessage(WebSocketCloseStatus? status, string? description) => status is { } s
        ? $"The Jetstream server closed the connection with {(int)s} {s}{(string.IsNullOrEmpty(description) ? "." : ": " + JetstreamText.Printable(description, MaxServerText))}"
        : "The Jetstream connection ended without a close frame (1006).";
}
