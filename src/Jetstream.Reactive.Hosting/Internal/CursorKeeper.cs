using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>
/// The <see cref="ICursorStore"/> the hosted consumer gives the library: the configured store, with the host's metric
/// (<c>jetstream.hosting.cursor.saves</c>) and logs around each save. What is saved and when is the library's: each
/// handler worker holds the acknowledgement of the events it buffered (<see cref="JetstreamAck"/>) until it finished
/// them, so the library saves the last event every handler finished, and the final save is awaited at stop.
/// </summary>
internal sealed class CursorKeeper(ICursorStore inner, ILogger logger, HostingMetrics metrics) : ICursorStore
{
    private JetstreamCursor? _lastSaved;

    public ICursorStore Inner => inner;

    /// <summary>The cursor of the last successful save, for the log at shutdown.</summary>
    public JetstreamCursor? LastSaved => Volatile.Read(ref _lastSaved);

    public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => inner.LoadAsync(cancellationToken);

    /// <summary>Saves through the configured store; a failure is counted and logged here, and rethrown for the library to retry.</summary>
    public async ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        try
        {
            await inner.SaveAsync(cursor, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            metrics.CursorSaves.Add(1, new KeyValuePair<string, object?>(HostingMetrics.OutcomeTag, "failure"));
            logger.CursorSaveFailed(e);
            throw;
        }

        Volatile.Write(ref _lastSaved, cursor);
        metrics.CursorSaves.Add(1, new KeyValuePair<string, object?>(HostingMetrics.OutcomeTag, "success"));
        logger.CursorSaved(cursor.Value, cursor.IsSequence ? "seq" : "time_us", cursor.Host);
    }
}
